using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;
using F = TorchSharp.torch.nn.functional;

namespace DataFlow.Trainer.Model;

/// <summary>
/// A LLaMA-style decoder-only transformer, top to bottom in one file (nanoGPT's shape): token embedding,
/// pre-norm blocks of RMSNorm -> causal self-attention with rotary positions (optionally grouped-query) and
/// RMSNorm -> SwiGLU MLP, a final RMSNorm and an output head: the embedding matrix itself (tied, the default) or its own
/// matrix (<see cref="ModelConfig.TieEmbeddings"/> false, as LLaMA checkpoints are).
/// </summary>
public sealed class Transformer : nn.Module<Tensor, Tensor>
{
    /// <summary>
    /// Root-mean-square layer norm (no mean subtraction, no bias); TorchSharp has no module for it. Computed in float32
    /// whatever the input's dtype (as HF's LlamaRMSNorm), rounded back to it once at the end.
    /// </summary>
    public sealed class RmsNorm : nn.Module<Tensor, Tensor>
    {
        private readonly Parameter weight;
        private readonly double _eps;

        public RmsNorm(int dim, double eps) : base(nameof(RmsNorm))
        {
            weight = new Parameter(ones(dim));
            _eps = eps;
            RegisterComponents();
        }

        public override Tensor forward(Tensor x)
        {
            using var scope = NewDisposeScope();
            var h = x.to(ScalarType.Float32); // no copy when x is float32
            var rms = h.pow(2).mean([-1L], keepdim: true).add_(_eps).rsqrt_();
            return (h * rms * weight).to(x.dtype).MoveToOuterDisposeScope();
        }
    }

    /// <summary>
    /// Rotary position embedding tables: each pair of channels (i, i + d/2) is rotated by position * theta^(-2i/d).
    /// Positions are divided by the interpolation scale, so longer contexts reuse the trained angle range; or, with Llama 3's
    /// scaling, each frequency is divided by its own factor (<see cref="Llama3RopeScaling"/>). The tables and
    /// the rotation are float32 whatever the activations' dtype (a bfloat16 copy of the model rounds once, after rotating).
    /// </summary>
    public sealed class Rotary : nn.Module
    {
        private readonly (Tensor Cos, Tensor Sin) _tables; // a tuple, so RegisterComponents neither saves nor converts it

        public Rotary(ModelConfig config) : base(nameof(Rotary))
        {
            var half = config.HeadDim / 2;
            var inverseFrequency = pow(config.RopeTheta, -arange(0, half, dtype: float64) * 2.0 / config.HeadDim);
            if (config.RopeLlama3 is { } llama3)
                inverseFrequency = inverseFrequency / tensor(llama3.Divisors(inverseFrequency.data<double>().ToArray()), dtype: float64);
            var positions = arange(config.ContextLength, dtype: float64) / config.RopeScale;
            var angles = outer(positions, inverseFrequency).to(float32);
            var (cos, sin) = (angles.cos(), angles.sin());
            // Whole-width tables [T, headDim]: (cos, cos) and (-sin, sin), so a rotation is x * cos + swap(x) * sin, four
            // kernels instead of seven and bit-identical to x1 c - x2 s, x2 c + x1 s (negation is exact, addition commutes).
            // Derived from the config, never saved; not registered as buffers, so module.to(bfloat16) leaves them float32.
            _tables = (cat([cos, cos], -1).DetachFromDisposeScope(), cat([-sin, sin], -1).DetachFromDisposeScope());
        }

        /// <summary>Rotates x [B, heads, T, headDim]; positions [B, T] or null for 0..T-1 in every row.</summary>
        public Tensor Apply(Tensor x, Tensor? positions)
        {
            using var scope = NewDisposeScope();
            var (b, t, width) = (x.shape[0], x.shape[2], x.shape[3]);
            var half = width / 2;
            var (cos, sin) = _tables;
            Tensor c, s;
            if (positions is null)
            {
                c = cos.narrow(0, 0, t).view(1, 1, t, width);
                s = sin.narrow(0, 0, t).view(1, 1, t, width);
            }
            else
            {
                var flat = positions.reshape(-1);
                c = cos.index_select(0, flat).view(b, 1, t, width);
                s = sin.index_select(0, flat).view(b, 1, t, width);
            }
            if (c.device_type != x.device_type || c.device_index != x.device_index) (c, s) = (c.to(x.device), s.to(x.device));
            var h = x.to(ScalarType.Float32); // no copy when x is float32
            var swapped = cat([h.narrow(-1, half, half), h.narrow(-1, 0, half)], -1);
            return (h * c + swapped * s).to(x.dtype).MoveToOuterDisposeScope();
        }

        protected override void Dispose(bool disposing)
        {
            if (disposing) { _tables.Cos.Dispose(); _tables.Sin.Dispose(); }
            base.Dispose(disposing);
        }
    }

    /// <summary>Causal self-attention through scaled_dot_product_attention; key/value heads are shared by groups of query heads (GQA).</summary>
    public sealed class Attention : nn.Module
    {
        public readonly Linear wq, wk, wv, wo;
        private readonly int _heads, _kvHeads, _headDim;

        public Attention(ModelConfig config) : base(nameof(Attention))
        {
            (_heads, _kvHeads, _headDim) = (config.Heads, config.KvHeadCount, config.HeadDim);
            wq = nn.Linear(config.Dim, _heads * _headDim, hasBias: false);
            wk = nn.Linear(config.Dim, _kvHeads * _headDim, hasBias: false);
            wv = nn.Linear(config.Dim, _kvHeads * _headDim, hasBias: false);
            wo = nn.Linear(_heads * _headDim, config.Dim, hasBias: false);
            RegisterComponents();
        }

        /// <param name="x">[B, T, dim]</param>
        /// <param name="step">null for training (positions 0..T-1, causal); otherwise the inference step with its cache.</param>
        /// <param name="packed">training rows that hold several documents: per-document positions and a block-diagonal causal mask.</param>
        public Tensor Forward(Tensor x, Rotary rotary, InferenceStep? step, int layer, PackedLayout? packed = null)
        {
            using var scope = NewDisposeScope();
            var (b, t) = (x.shape[0], x.shape[1]);
            var positions = step?.Positions ?? packed?.Positions;
            var q = rotary.Apply(wq.call(x).view(b, t, _heads, _headDim).transpose(1, 2), positions);
            var k = rotary.Apply(wk.call(x).view(b, t, _kvHeads, _headDim).transpose(1, 2), positions);
            var v = wv.call(x).view(b, t, _kvHeads, _headDim).transpose(1, 2);
            if (step is not null) (k, v) = step.Cache.Append(layer, k, v, step.Start);
            if (_kvHeads != _heads)
            {
                k = k.repeat_interleave(_heads / _kvHeads, dim: 1);
                v = v.repeat_interleave(_heads / _kvHeads, dim: 1);
            }
            // Scores, softmax and weighting in float32 even when the activations are bfloat16 (HF upcasts the softmax too).
            var dtype = q.dtype;
            if (dtype != ScalarType.Float32) (q, k, v) = (q.to(ScalarType.Float32), k.to(ScalarType.Float32), v.to(ScalarType.Float32));
            var mask = step?.Mask ?? packed?.Mask;
            var y = mask is null
                ? F.scaled_dot_product_attention(q, k, v, is_casual: true)
                : F.scaled_dot_product_attention(q, k, v, attn_mask: mask);
            y = y.to(dtype);
            return wo.call(y.transpose(1, 2).reshape(b, t, _heads * _headDim)).MoveToOuterDisposeScope();
        }
    }

    /// <summary>SwiGLU: w2(silu(w1 x) * w3 x).</summary>
    public sealed class FeedForward : nn.Module<Tensor, Tensor>
    {
        public readonly Linear w1, w2, w3;

        public FeedForward(ModelConfig config) : base(nameof(FeedForward))
        {
            w1 = nn.Linear(config.Dim, config.Hidden, hasBias: false);
            w2 = nn.Linear(config.Hidden, config.Dim, hasBias: false);
            w3 = nn.Linear(config.Dim, config.Hidden, hasBias: false);
            RegisterComponents();
        }

        public override Tensor forward(Tensor x)
        {
            using var scope = NewDisposeScope();
            return w2.call(F.silu(w1.call(x)) * w3.call(x)).MoveToOuterDisposeScope();
        }
    }

    /// <summary>Pre-norm residual block.</summary>
    public sealed class Block : nn.Module
    {
        public readonly RmsNorm attention_norm, ffn_norm;
        public readonly Attention attention;
        public readonly FeedForward feed_forward;

        public Block(ModelConfig config) : base(nameof(Block))
        {
            attention_norm = new RmsNorm(config.Dim, config.NormEps);
            attention = new Attention(config);
            ffn_norm = new RmsNorm(config.Dim, config.NormEps);
            feed_forward = new FeedForward(config);
            RegisterComponents();
        }

        public Tensor Forward(Tensor x, Rotary rotary, InferenceStep? step, int layer, PackedLayout? packed = null)
        {
            using var scope = NewDisposeScope();
            var h = x + attention.Forward(attention_norm.forward(x), rotary, step, layer, packed);
            return (h + feed_forward.forward(ffn_norm.forward(h))).MoveToOuterDisposeScope();
        }
    }

    public readonly Embedding tok_embeddings;
    public readonly ModuleList<Block> layers;
    public readonly RmsNorm norm;

    /// <summary>The untied output head [vocab, dim]; null when the head is the embedding.</summary>
    public readonly Linear? output;
    private readonly Rotary rotary;

    public Transformer(ModelConfig config) : base(nameof(Transformer))
    {
        Config = config.Validate();
        tok_embeddings = nn.Embedding(config.VocabSize, config.Dim);
        layers = nn.ModuleList(Enumerable.Range(0, config.Layers).Select(_ => new Block(config)).ToArray());
        norm = new RmsNorm(config.Dim, config.NormEps);
        output = config.TieEmbeddings ? null : nn.Linear(config.Dim, config.VocabSize, hasBias: false);
        rotary = new Rotary(config);
        RegisterComponents();
        InitializeWeights();
    }

    public ModelConfig Config { get; }

    /// <summary>The output projection [vocab, dim]: the untied head's matrix, or the embedding matrix when tied.</summary>
    public Parameter HeadWeight => output?.weight ?? tok_embeddings.weight!;

    /// <summary>Training forward: tokens [B, T] -> logits [B, T, vocab].</summary>
    public override Tensor forward(Tensor tokens) => Forward(tokens, step: null);

    /// <summary>Forward through the blocks; with a step, keys and values are read from and appended to its cache.</summary>
    public Tensor Forward(Tensor tokens, InferenceStep? step) => Forward(tokens, step, packed: null);

    /// <summary>Training forward over packed rows: each document attends only to itself, its positions restart at 0.</summary>
    public Tensor Forward(Tensor tokens, PackedLayout packed) => Forward(tokens, step: null, packed);

    private Tensor Forward(Tensor tokens, InferenceStep? step, PackedLayout? packed)
    {
        if (tokens.shape[1] > Config.ContextLength)
            throw new ArgumentException($"sequence of {tokens.shape[1]} tokens exceeds the model's context length {Config.ContextLength}");
        using var scope = NewDisposeScope();
        var x = tok_embeddings.forward(tokens);
        for (var i = 0; i < layers.Count; i++) x = layers[i].Forward(x, rotary, step, i, packed);
        return F.linear(norm.forward(x), HeadWeight).MoveToOuterDisposeScope();
    }

    /// <summary>Mean next-token cross-entropy of logits for inputs [B, T] against targets [B, T].</summary>
    public Tensor Loss(Tensor inputs, Tensor targets)
    {
        using var scope = NewDisposeScope();
        var logits = forward(inputs);
        // Softmax in float32 even when the model computes in bfloat16.
        return F.cross_entropy(logits.view(-1, Config.VocabSize).to(ScalarType.Float32), targets.reshape(-1)).MoveToOuterDisposeScope();
    }

    /// <summary>Final normalized hidden states [B, T, dim] for training-mode input (reward and value heads read these).</summary>
    public Tensor Hidden(Tensor tokens)
    {
        using var scope = NewDisposeScope();
        var x = tok_embeddings.forward(tokens);
        for (var i = 0; i < layers.Count; i++) x = layers[i].Forward(x, rotary, null, i);
        return norm.forward(x).MoveToOuterDisposeScope();
    }

    /// <summary>GPT-2 initialization: N(0, 0.02), residual output projections scaled by 1/sqrt(2 * layers).</summary>
    private void InitializeWeights()
    {
        using var noGrad = no_grad();
        var residualStd = 0.02 / Math.Sqrt(2.0 * Config.Layers);
        foreach (var (name, parameter) in named_parameters())
        {
            if (name.EndsWith("norm.weight", StringComparison.Ordinal)) continue; // RMSNorm gains start at 1
            var std = name.EndsWith("wo.weight", StringComparison.Ordinal) || name.EndsWith("w2.weight", StringComparison.Ordinal) ? residualStd : 0.02;
            nn.init.normal_(parameter, 0.0, std);
        }
    }
}
