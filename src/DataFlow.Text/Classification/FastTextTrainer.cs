using System.Diagnostics;
using System.Runtime.InteropServices;

namespace DataFlow.Text.Classification;

/// <summary>
/// Supervised fastText training, as <c>fasttext supervised</c> does it: a dictionary from the labelled text (words
/// kept from <c>minCount</c>, labels from <c>minCountLabel</c>, word n-grams and character n-grams hashed into
/// <c>bucket</c> rows), the input matrix drawn uniformly from (−1/dim, 1/dim) and the output matrix zero, then
/// Hogwild SGD: each thread trains on its own slice of the examples (wrapping around) and updates the shared matrices
/// without locks, the learning rate falling linearly with the tokens all threads have processed, until every epoch's
/// tokens are done. One example: the hidden vector is the mean of its input rows, the loss (softmax, ns, hs, ova)
/// moves the output rows, and its gradient, divided by the input count, is added to every input row.
/// The result saves as a <c>.bin</c> that fastText itself loads.
/// </summary>
public sealed class FastTextTrainer
{
    private readonly FastTextArgs _options;

    /// <summary>A trainer for these hyper-parameters; like fastText's command line, it uses no hash buckets when there
    /// are neither word n-grams nor subwords.</summary>
    public FastTextTrainer(FastTextArgs args)
    {
        Validate(args);
        _options = args with
        {
            Model = FastTextModelKind.Supervised,
            Bucket = args.WordNgrams <= 1 && args.MaxN == 0 ? 0 : args.Bucket,
        };
    }

    public FastTextArgs Args => _options;

    /// <summary>Trains on lines in fastText's format (<c>__label__spam __label__urgent the text</c>).</summary>
    public FastTextModel Train(IEnumerable<string> lines, Action<FastTextTrainingProgress>? progress = null, CancellationToken cancellation = default)
    {
        var corpus = new FastTextTrainingCorpus(_options.LabelPrefix);
        foreach (var line in lines)
        {
            cancellation.ThrowIfCancellationRequested();
            corpus.AddLine(line);
        }
        return Train(corpus, progress, cancellation);
    }

    /// <summary>Trains on examples given as fields (labels and text), each read as the line <c>__label__x text</c>.</summary>
    public FastTextModel Train(IEnumerable<LabelledText> examples, Action<FastTextTrainingProgress>? progress = null, CancellationToken cancellation = default)
    {
        var corpus = new FastTextTrainingCorpus(_options.LabelPrefix);
        foreach (var example in examples)
        {
            cancellation.ThrowIfCancellationRequested();
            corpus.AddExample(example);
        }
        return Train(corpus, progress, cancellation);
    }

    private FastTextModel Train(FastTextTrainingCorpus corpus, Action<FastTextTrainingProgress>? progress, CancellationToken cancellation)
    {
        if (corpus.Lines == 0) throw new InvalidDataException("no training examples: the input is empty");
        var vocabulary = FastTextTrainingVocabulary.Build(corpus, _options);
        long inputSize = (long)(vocabulary.Dictionary.WordCount + _options.Bucket) * _options.Dim;
        if (inputSize > Array.MaxLength)
            throw new ArgumentException($"the input matrix ({vocabulary.Dictionary.WordCount:N0} words + {_options.Bucket:N0} buckets) x dim {_options.Dim} " +
                $"exceeds {Array.MaxLength:N0} floats; lower bucket or dim");
        var input = new float[inputSize];
        UniformInit(input, 1f / _options.Dim, _options.Seed);
        var output = new float[(long)vocabulary.Dictionary.LabelCount * _options.Dim];
        var run = new HogwildRun(corpus, vocabulary, _options, input, output);
        run.Execute(progress, cancellation);
        return vocabulary.CreateModel(input, output);
    }

    private static void Validate(FastTextArgs a)
    {
        Require(a.LearningRate > 0 && double.IsFinite(a.LearningRate), "lr", "must be a positive number");
        Require(a.Dim > 0, "dim", "must be at least 1");
        Require(a.Epoch > 0, "epoch", "must be at least 1");
        Require(a.MinCount >= 0, "min-count", "must not be negative");
        Require(a.MinCountLabel >= 0, "min-count-label", "must not be negative");
        Require(a.Negatives > 0, "neg", "must be at least 1");
        Require(a.WordNgrams > 0, "word-ngrams", "must be at least 1");
        Require(a.MinN >= 0 && a.MaxN >= 0, "minn/maxn", "must not be negative");
        Require(a.MaxN == 0 || (a.MinN > 0 && a.MinN <= a.MaxN), "minn/maxn", $"need 1 <= minn <= maxn when subwords are on (minn {a.MinN}, maxn {a.MaxN})");
        Require(a.Bucket > 0 || (a.WordNgrams <= 1 && a.MaxN == 0), "bucket", "must be positive when word n-grams or subwords are used");
        Require(a.LrUpdateRate > 0, "lr-update-rate", "must be at least 1");
        Require(a.Threads > 0, "threads", "must be at least 1");
        Require(a.LabelPrefix.Length > 0 && !a.LabelPrefix.Any(FastTextTrainingCorpus.IsSeparator), "label", "must be a non-empty word");
    }

    private static void Require(bool ok, string key, string message)
    {
        if (!ok) throw new ArgumentException($"fastText training option '{key}' {message}");
    }

    /// <summary>Fills the matrix from U(−a, a) in fixed blocks, one generator each, on all cores; the same seed gives
    /// the same matrix whatever the thread count.</summary>
    private static void UniformInit(float[] matrix, float a, int seed)
    {
        const int blocks = 64;
        long blockSize = (matrix.LongLength + blocks - 1) / blocks;
        Parallel.For(0, blocks, block =>
        {
            ulong state = (ulong)(uint)seed * 0x9E3779B97F4A7C15UL + (ulong)block + 1;
            long end = Math.Min(matrix.LongLength, (block + 1) * blockSize);
            for (long i = block * blockSize; i < end; i++)
                matrix[i] = (float)((SplitMix(ref state) >> 40) * (1.0 / (1UL << 24)) * 2 - 1) * a;
        });
    }

    private static ulong SplitMix(ref ulong state)
    {
        ulong z = state += 0x9E3779B97F4A7C15UL;
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
        return z ^ (z >> 31);
    }

    /// <summary>One training run: the shared matrices, the shared token count and the threads that update them.</summary>
    private sealed class HogwildRun(FastTextTrainingCorpus corpus, FastTextTrainingVocabulary vocabulary, FastTextArgs options,
        float[] input, float[] output)
    {
        private readonly long _totalTokens = options.Epoch * corpus.TokenCount;
        private readonly FastTextTrainingLoss _loss = FastTextTrainingLoss.Create(options.Loss, output, options.Dim,
            vocabulary.LabelCounts, options.Negatives);
        private long _tokenCount;
        private volatile bool _stop;
        private double _loss0 = -1;
        private Exception? _failure;

        public void Execute(Action<FastTextTrainingProgress>? progress, CancellationToken cancellation)
        {
            var clock = Stopwatch.StartNew();
            var threads = Enumerable.Range(0, options.Threads).Select(t => new Thread(() => Work(t, cancellation))
            {
                IsBackground = true,
                Name = $"fasttext-train-{t}",
            }).ToList();
            foreach (var thread in threads) thread.Start();
            while (!threads.TrueForAll(t => t.Join(100)))
                if (progress is not null && Volatile.Read(ref _loss0) >= 0) progress(Progress(clock.Elapsed));
            if (_failure is not null) throw _failure;
            cancellation.ThrowIfCancellationRequested();
            progress?.Invoke(Progress(clock.Elapsed) with { Progress = 1, LearningRate = 0 });
        }

        private FastTextTrainingProgress Progress(TimeSpan elapsed)
        {
            long tokens = Volatile.Read(ref _tokenCount);
            double done = Math.Min(1.0, (double)tokens / _totalTokens);
            double seconds = Math.Max(elapsed.TotalSeconds, 1e-9);
            return new FastTextTrainingProgress(done, Volatile.Read(ref _loss0), tokens / seconds / options.Threads,
                options.LearningRate * (1 - done));
        }

        private void Work(int thread, CancellationToken cancellation)
        {
            try
            {
                Train(thread, cancellation);
            }
            catch (Exception e)
            {
                _failure ??= e;
                _stop = true;
            }
        }

        private void Train(int thread, CancellationToken cancellation)
        {
            int dim = options.Dim;
            var state = new FastTextTrainingState(dim, Math.Max(vocabulary.LabelCounts.Length, 1), thread + options.Seed);
            var example = new FastTextTrainingExample();
            int line = (int)((long)thread * corpus.Lines / options.Threads);
            long localTokens = 0, examples = 0;
            while (!_stop && Volatile.Read(ref _tokenCount) < _totalTokens)
            {
                if ((++examples & 1023) == 0 && cancellation.IsCancellationRequested) { _stop = true; break; }
                float progress = (float)((double)Volatile.Read(ref _tokenCount) / _totalTokens);
                float lr = (float)(options.LearningRate * (1.0 - progress));
                localTokens += vocabulary.Encode(corpus.Line(line), example);
                if (++line == corpus.Lines) line = 0;
                if (example.Labels.Count > 0 && example.Inputs.Count > 0) Update(example, state, lr);
                if (localTokens > options.LrUpdateRate)
                {
                    Interlocked.Add(ref _tokenCount, localTokens);
                    localTokens = 0;
                    if (thread == 0) Volatile.Write(ref _loss0, state.AverageLoss);
                }
            }
            if (thread == 0 && state.Examples > 0) Volatile.Write(ref _loss0, state.AverageLoss);
        }

        private void Update(FastTextTrainingExample example, FastTextTrainingState state, float lr)
        {
            int dim = options.Dim;
            var hidden = state.Hidden.AsSpan();
            hidden.Clear();
            var rows = CollectionsMarshal.AsSpan(example.Inputs);
            foreach (int row in rows) DenseMatrix.Add(hidden, input.AsSpan(row * dim, dim));
            Scale(hidden, 1f / rows.Length);

            state.Gradient.AsSpan().Clear();
            var labels = example.LabelSpan;
            int target = _loss.TrainsAllLabels ? -1 : state.Random.NextBelow(labels.Length);
            float loss = _loss.Forward(labels, target, state, lr);
            if (float.IsNaN(loss))
                throw new InvalidOperationException("fastText training diverged (the loss became NaN); try a smaller learning rate");
            state.AddExample(loss);

            Scale(state.Gradient, 1f / rows.Length);
            foreach (int row in rows) DenseMatrix.Add(input.AsSpan(row * dim, dim), state.Gradient);
        }

        private static void Scale(Span<float> x, float a)
        {
            for (int i = 0; i < x.Length; i++) x[i] *= a;
        }
    }
}
