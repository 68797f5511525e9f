// The JavaScript Hugging Face tokenizers as a peer of our exported tokenizer files (installed by scripts/install-hf-js.sh).
// Usage: node hf_js_peer.mjs MODULES_DIR HF_DIR encode  < JSON array of strings   -> JSON array of id arrays
//        node hf_js_peer.mjs MODULES_DIR HF_DIR chat    < JSON array of {messages, add_generation_prompt}
//                                                         -> JSON array of {text, ids}: the rendered chat_template, encoded
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { pathToFileURL } from "node:url";

const [modules, hfDir, mode] = process.argv.slice(2);
const load = (name) => import(pathToFileURL(join(modules, "@huggingface", name, "dist", name === "jinja" ? "index.js" : "tokenizers.mjs")).href);
const { Tokenizer } = await load("tokenizers");
const { Template } = await load("jinja");

const tokenizerJson = JSON.parse(readFileSync(join(hfDir, "tokenizer.json"), "utf8"));
const tokenizerConfig = JSON.parse(readFileSync(join(hfDir, "tokenizer_config.json"), "utf8"));
const tokenizer = new Tokenizer(tokenizerJson, tokenizerConfig);
const input = JSON.parse(readFileSync(0, "utf8"));
const encode = (text) => tokenizer.encode(text, { add_special_tokens: false }).ids.map(Number);

let output;
if (mode === "encode") {
  output = input.map(encode);
} else if (mode === "chat") {
  // What transformers' apply_chat_template does: render tokenizer_config.json's chat_template with the special tokens in
  // scope as strings (a config may write one as {"content": ...}, an AddedToken; transformers passes its text).
  const template = new Template(tokenizerConfig.chat_template);
  const text = (token) => (token !== null && typeof token === "object" ? token.content : token);
  output = input.map(({ messages, add_generation_prompt }) => {
    const rendered = template.render({
      messages, add_generation_prompt,
      bos_token: text(tokenizerConfig.bos_token), eos_token: text(tokenizerConfig.eos_token), pad_token: text(tokenizerConfig.pad_token),
    });
    return { text: rendered, ids: encode(rendered) };
  });
} else {
  throw new Error(`unknown mode '${mode}' (encode or chat)`);
}
process.stdout.write(JSON.stringify(output));
