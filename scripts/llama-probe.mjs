// Asks llama.cpp (node-llama-cpp, installed by scripts/install-llama-cpp.sh) what it makes of a GGUF file, so tests can
// compare DataFlow with a client nobody here wrote. Usage: node scripts/llama-probe.mjs REQUEST.json RESPONSE.json
// Request: { model, tokenize: [text], distributions: [[id]], vocabSize, greedy: [{ prompt: [id], tokens: n }], contextSize,
//            kvCacheType (default F32), threads (default 1: more threads spin against each other on a small shared machine) }
// Response: { tokens: [[id]], logProbs: [[[ln p for every id] per position]], greedy: [[id]], special: { bos, eos, eot } (ids or null) }
import { readFileSync, writeFileSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";

const [requestPath, responsePath] = process.argv.slice(2);
if (!requestPath || !responsePath) throw new Error("usage: node llama-probe.mjs REQUEST.json RESPONSE.json");
const request = JSON.parse(readFileSync(requestPath, "utf8"));
const root = resolve(dirname(fileURLToPath(import.meta.url)), "..");
const packageDir = process.env.DATAFLOW_LLAMA_CPP_DIR ?? join(root, ".tools", "llama-cpp");
const { getLlama, LlamaLogLevel } = await import(pathToFileURL(join(packageDir, "node_modules", "node-llama-cpp", "dist", "index.js")).href);

// Prebuilt CPU binaries only: never build, never download.
const llama = await getLlama({ gpu: false, build: "never", usePrebuiltBinaries: true, skipDownload: true, logLevel: LlamaLogLevel.error });
const model = await llama.loadModel({ modelPath: request.model, gpuLayers: 0 });
// An F32 KV cache and no flash attention: the default F16 cache alone moves log-probabilities by ~3e-3.
const context = await model.createContext({
    contextSize: request.contextSize ?? 256,
    batchSize: request.contextSize ?? 256,
    sequences: 1,
    threads: request.threads ?? 1,
    flashAttention: false,
    experimentalKvCacheKeyType: request.kvCacheType ?? "F32",
    experimentalKvCacheValueType: request.kvCacheType ?? "F32",
});
const sequence = context.getSequence();
// The special ids llama.cpp read from the file: where generation stops and what a document starts with.
const special = { bos: model.tokens.bos, eos: model.tokens.eos, eot: model.tokens.eot };
const response = { tokens: [], logProbs: [], greedy: [], special };

// Plain text only: special-token strings in the text stay text, as DataFlow's EncodeOrdinary treats them.
for (const text of request.tokenize ?? []) response.tokens.push(Array.from(model.tokenize(text, false)));

// The full next-token distribution after every prefix. The JavaScript API has no raw logits; probabilities at
// temperature 1 with no filters are softmax(logits), so ln p equals the logits up to one constant per position.
for (const ids of request.distributions ?? []) {
    await sequence.clearHistory();
    const results = await sequence.controlledEvaluate(ids.map(id => [id, { generateNext: { probabilities: true, options: { temperature: 1, topK: 0, topP: 1, minP: 0 } } }]));
    response.logProbs.push(results.map(result => {
        const row = new Array(request.vocabSize).fill(null);
        for (const [token, p] of result.next.probabilities) row[token] = Math.log(p);
        return row;
    }));
}

// Greedy continuation: llama.cpp's sampler at temperature 0 (no repeat penalty, no stop tokens), one token per call.
const greedy = { token: true, options: { temperature: 0 } };
for (const { prompt, tokens } of request.greedy ?? []) {
    await sequence.clearHistory();
    const out = [];
    let input = prompt.map((id, i) => i === prompt.length - 1 ? [id, { generateNext: greedy }] : id);
    while (out.length < tokens) {
        const results = await sequence.controlledEvaluate(input);
        const next = results[results.length - 1].next.token;
        out.push(next);
        input = [[next, { generateNext: greedy }]];
    }
    response.greedy.push(out);
}

writeFileSync(responsePath, JSON.stringify(response));
await context.dispose();
await model.dispose();
await llama.dispose();
