"""The same LLaMA-style model and training step in PyTorch, as the throughput reference for ThroughputBenchmark.
Usage: python3 reference_llama.py STEPS THREADS SHAPES_JSON. SHAPES_JSON lists the matmul shapes of one step
([name, batch, m, k, n, transpose_a, transpose_b]); each is timed in fp32 and bf16 as on the C# side (one warm-up, best
of 3, before and after the training steps). Prints one JSON object: tokens per wall second and per process CPU-second,
and per dtype the best FLOP/s and FLOP per CPU-second of each shape (null where the dtype is unsupported)."""
import json, math, sys, time
import torch
import torch.nn as nn
import torch.nn.functional as F

V, D, L, H, T, B = 4096, 256, 4, 4, 256, 8
HIDDEN = (8 * D // 3 + 31) // 32 * 32
HD = D // H

class RMSNorm(nn.Module):
    def __init__(self, dim, eps=1e-5):
        super().__init__(); self.weight = nn.Parameter(torch.ones(dim)); self.eps = eps
    def forward(self, x):
        return x * x.pow(2).mean(-1, keepdim=True).add(self.eps).rsqrt() * self.weight

def rope_tables():
    inv = 10000.0 ** (-torch.arange(0, HD // 2, dtype=torch.float64) * 2.0 / HD)
    ang = torch.outer(torch.arange(T, dtype=torch.float64), inv).float()
    return ang.cos(), ang.sin()

def rope(x, cos, sin):
    h = x.shape[-1] // 2; x1, x2 = x[..., :h], x[..., h:]
    t = x.shape[2]; c, s = cos[:t].view(1, 1, t, h), sin[:t].view(1, 1, t, h)
    return torch.cat([x1 * c - x2 * s, x1 * s + x2 * c], -1)

class Block(nn.Module):
    def __init__(self):
        super().__init__()
        self.attention_norm, self.ffn_norm = RMSNorm(D), RMSNorm(D)
        self.wq, self.wk, self.wv, self.wo = (nn.Linear(D, D, bias=False) for _ in range(4))
        self.w1, self.w2, self.w3 = nn.Linear(D, HIDDEN, bias=False), nn.Linear(HIDDEN, D, bias=False), nn.Linear(D, HIDDEN, bias=False)
    def forward(self, x, cos, sin, mask):
        b, t, _ = x.shape
        h = self.attention_norm(x)
        q = rope(self.wq(h).view(b, t, H, HD).transpose(1, 2), cos, sin)
        k = rope(self.wk(h).view(b, t, H, HD).transpose(1, 2), cos, sin)
        v = self.wv(h).view(b, t, H, HD).transpose(1, 2)
        if hasattr(F, "scaled_dot_product_attention"):
            y = F.scaled_dot_product_attention(q, k, v, is_causal=True)
        else:  # torch < 2.0 (Debian 12 ships 1.13): the same computation written out
            att = (q @ k.transpose(-2, -1)) / math.sqrt(HD)
            y = att.masked_fill(mask[:t, :t], float("-inf")).softmax(-1) @ v
        x = x + self.wo(y.transpose(1, 2).reshape(b, t, D))
        h = self.ffn_norm(x)
        return x + self.w2(F.silu(self.w1(h)) * self.w3(h))

class Model(nn.Module):
    def __init__(self):
        super().__init__()
        self.tok = nn.Embedding(V, D); self.layers = nn.ModuleList(Block() for _ in range(L)); self.norm = RMSNorm(D)
        cos, sin = rope_tables(); self.register_buffer("cos", cos, persistent=False); self.register_buffer("sin", sin, persistent=False)
        self.register_buffer("mask", torch.ones(T, T, dtype=torch.bool).triu(1), persistent=False)
        for n, p in self.named_parameters():
            if not n.endswith("norm.weight"): nn.init.normal_(p, 0.0, 0.02)
    def forward(self, idx, targets):
        x = self.tok(idx)
        for blk in self.layers: x = blk(x, self.cos, self.sin, self.mask)
        logits = F.linear(self.norm(x), self.tok.weight)
        return F.cross_entropy(logits.view(-1, V), targets.reshape(-1))

def time_shapes(shapes, dtype):
    g = torch.Generator().manual_seed(12345); out = []
    try:
        with torch.no_grad():
            for name, batch, m, k, n, ta, tb in shapes:
                a = torch.randn(batch, k if ta else m, m if ta else k, generator=g).to(dtype)
                b = torch.randn(batch, n if tb else k, k if tb else n, generator=g).to(dtype)
                if ta: a = a.transpose(-2, -1)
                if tb: b = b.transpose(-2, -1)
                if batch == 1: a, b = a[0], b[0]
                a @ b; best = best_cpu = 0.0; flops = 2.0 * batch * m * k * n
                for _ in range(3):
                    c0, t0 = time.process_time(), time.perf_counter(); a @ b
                    best = max(best, flops / max(time.perf_counter() - t0, 1e-9))
                    best_cpu = max(best_cpu, flops / max(time.process_time() - c0, 1e-6))
                out.append([best, best_cpu])
    except RuntimeError as e:
        return None, str(e).splitlines()[0]
    return out, None

def merge(a, b):
    return None if a is None or b is None else [[max(x[0], y[0]), max(x[1], y[1])] for x, y in zip(a, b)]

def main():
    steps, threads, shapes = int(sys.argv[1]), int(sys.argv[2]), json.loads(sys.argv[3])
    torch.set_num_threads(threads); torch.manual_seed(1)
    fp32, _ = time_shapes(shapes, torch.float32); bf16, bf16_error = time_shapes(shapes, torch.bfloat16)
    model = Model()
    decay = [p for p in model.parameters() if p.dim() >= 2]; nodecay = [p for p in model.parameters() if p.dim() < 2]
    opt = torch.optim.AdamW([{"params": decay, "weight_decay": 0.1}, {"params": nodecay, "weight_decay": 0.0}], lr=1e-4, betas=(0.9, 0.95))
    def step():
        tok = torch.randint(V, (B, T + 1))
        loss = model(tok[:, :-1], tok[:, 1:]); loss.backward()
        torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0); opt.step(); opt.zero_grad(set_to_none=False)
    for _ in range(3): step()
    rate = rate_cpu = 0.0
    for _ in range(3):  # best of three rounds, as on the C# side
        c0, t0 = time.process_time(), time.perf_counter()
        for _ in range(steps): step()
        rate = max(rate, steps * B * T / (time.perf_counter() - t0))
        rate_cpu = max(rate_cpu, steps * B * T / (time.process_time() - c0))
    fp32 = merge(fp32, time_shapes(shapes, torch.float32)[0])
    if bf16 is not None: bf16 = merge(bf16, time_shapes(shapes, torch.bfloat16)[0])
    print(json.dumps({"tokens_per_second": rate, "tokens_per_cpu_second": rate_cpu, "fp32": fp32, "bf16": bf16,
                      "bf16_error": bf16_error, "torch": torch.__version__}))

if __name__ == "__main__":
    main()
