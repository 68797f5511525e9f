using System.Numerics;
using System.Runtime.InteropServices;
using System.Text;

namespace DataFlow.Text.Classification;

/// <summary>
/// A fastText model (.bin, or quantized .ftz) read and written in fastText's format (version 12), and its
/// supervised prediction computed as fastText 0.9.2 computes it: the hidden vector is the mean of the input rows
/// of a line's words, subwords and word n-grams; the output is softmax, one sigmoid per label (one-vs-all, negative
/// sampling) or a depth-first walk of the hierarchical-softmax tree; the k best go through the same heap.
/// Predict is thread-safe: every thread has its own scratch buffers and nothing is allocated per token.
/// </summary>
public sealed class FastTextModel
{
    public const int FileMagic = 793712314;
    public const int FileVersion = 12;

    /// <summary>Pass as k to get every label (fastText's kUnlimitedPredictions).</summary>
    public const int AllLabels = -1;

    private const int SigmoidTableSize = 512;
    private const int MaxSigmoid = 8;
    private static readonly float[] SigmoidTable = BuildSigmoidTable();

    private readonly string[] labelNames;
    private readonly HierarchicalSoftmaxTree? tree;
    // The dense output matrix transposed (dim x padded labels): one vector lane per label, each summing in fastText's order.
    private readonly float[]? outputByColumn;
    private readonly int paddedLabels;
    private readonly ThreadLocal<Scratch> scratch;

    public FastTextModel(FastTextArgs args, FastTextDictionary dictionary, FastTextMatrix input, FastTextMatrix output)
    {
        if (input.Cols != args.Dim || output.Cols != args.Dim)
            throw new ArgumentException($"matrix widths (input {input.Cols}, output {output.Cols}) differ from dim {args.Dim}");
        var expectedRows = (long)dictionary.WordCount + (dictionary.IsPruned ? dictionary.PruneIndexSize : args.Bucket);
        if (input.Rows != expectedRows)
            throw new ArgumentException($"input matrix has {input.Rows} rows, expected {expectedRows} ({dictionary.WordCount} words + {(dictionary.IsPruned ? "pruned n-grams" : "buckets")})");
        if (args.Model == FastTextModelKind.Supervised && output.Rows != dictionary.LabelCount)
            throw new ArgumentException($"output matrix has {output.Rows} rows, expected one per label ({dictionary.LabelCount})");
        if (args.Model == FastTextModelKind.Supervised && !Enum.IsDefined(args.Loss))
            throw new ArgumentException($"unknown loss {(int)args.Loss}");
        (Args, Dictionary, Input, Output) = (args, dictionary, input, output);
        labelNames = dictionary.Labels.Select(l => l.StartsWith(args.LabelPrefix, StringComparison.Ordinal) ? l[args.LabelPrefix.Length..] : l).ToArray();
        if (args.Model == FastTextModelKind.Supervised && args.Loss == FastTextLoss.HierarchicalSoftmax && dictionary.LabelCount > 0)
            tree = new HierarchicalSoftmaxTree(dictionary.GetCounts(FastTextEntryType.Label));
        if (args.Model == FastTextModelKind.Supervised && args.Loss != FastTextLoss.HierarchicalSoftmax && output is DenseMatrix dense)
        {
            var lanes = Vector<float>.Count;
            paddedLabels = (output.Rows + lanes - 1) / lanes * lanes;
            outputByColumn = new float[args.Dim * paddedLabels];
            for (var l = 0; l < output.Rows; l++)
            {
                var row = dense.Row(l);
                for (var j = 0; j < args.Dim; j++) outputByColumn[j * paddedLabels + l] = row[j];
            }
        }
        scratch = new ThreadLocal<Scratch>(() => new Scratch(args.Dim, Math.Max(paddedLabels, output.Rows)));
    }

    public FastTextArgs Args { get; }

    public FastTextDictionary Dictionary { get; }

    public FastTextMatrix Input { get; }

    public FastTextMatrix Output { get; }

    /// <summary>True for a quantized (.ftz) model.</summary>
    public bool IsQuantized => Input is QuantizedMatrix;

    /// <summary>Labels as stored and as fastText prints them (with the prefix), by label index.</summary>
    public IReadOnlyList<string> Labels => Dictionary.Labels;

    /// <summary>Labels without the "__label__" prefix, by label index.</summary>
    public IReadOnlyList<string> LabelNames => labelNames;

    /// <summary>Reads a .bin or .ftz file; errors name the file and the part that is wrong.</summary>
    public static FastTextModel Load(string path)
    {
        using var stream = new BufferedStream(File.OpenRead(path), 1 << 20);
        using var reader = new BinaryReader(stream, Encoding.UTF8, leaveOpen: true);
        var section = "header";
        try
        {
            var magic = reader.ReadInt32();
            if (magic != FileMagic)
                throw new InvalidDataException($"{path}: not a fastText model (magic number {magic}, expected {FileMagic})");
            var version = reader.ReadInt32();
            if (version is not (11 or FileVersion))
                throw new InvalidDataException($"{path}: fastText format version {version} is not supported (expected 11 or {FileVersion})");
            section = "arguments";
            var args = FastTextArgs.Read(reader);
            if (!Enum.IsDefined(args.Model)) throw new InvalidDataException($"unknown model kind {(int)args.Model}");
            if (!Enum.IsDefined(args.Loss)) throw new InvalidDataException($"unknown loss {(int)args.Loss}");
            if (args.Dim <= 0) throw new InvalidDataException($"dim {args.Dim} must be positive");
            // Version 11 supervised models had no char n-grams (fastText's own backward compatibility rule).
            if (version == 11 && args.Model == FastTextModelKind.Supervised) args = args with { MaxN = 0 };
            section = "dictionary";
            var dictionary = FastTextDictionary.Read(reader, args);
            section = "input matrix";
            var quantizedInput = reader.ReadBoolean();
            FastTextMatrix input = quantizedInput ? QuantizedMatrix.Read(reader) : DenseMatrix.Read(reader);
            if (!quantizedInput && dictionary.IsPruned)
                throw new InvalidDataException("a pruned dictionary needs a quantized input matrix (an outdated model file, see fastText issue #332)");
            section = "output matrix";
            var quantizedOutput = reader.ReadBoolean();
            FastTextMatrix output = quantizedInput && quantizedOutput ? QuantizedMatrix.Read(reader) : DenseMatrix.Read(reader);
            section = "model";
            return new FastTextModel(args, dictionary, input, output);
        }
        catch (EndOfStreamException)
        {
            throw new InvalidDataException($"{path}: truncated fastText model: the file ends inside the {section}");
        }
        catch (Exception e) when (e is InvalidDataException or ArgumentException && !e.Message.StartsWith(path, StringComparison.Ordinal))
        {
            throw new InvalidDataException($"{path}: invalid fastText model ({section}): {e.Message}", e);
        }
    }

    /// <summary>Writes the model as fastText's saveModel does (the fastText CLI loads it); written to a temporary name, then renamed.</summary>
    public void Save(string path)
    {
        var temporary = path + ".tmp";
        using (var stream = new FileStream(temporary, FileMode.Create, FileAccess.Write, FileShare.None, 1 << 20))
        using (var writer = new BinaryWriter(stream, Encoding.UTF8))
        {
            writer.Write(FileMagic);
            writer.Write(FileVersion);
            Args.Write(writer);
            Dictionary.Write(writer);
            writer.Write(Input is QuantizedMatrix);
            Input.Write(writer);
            writer.Write(Output is QuantizedMatrix);
            Output.Write(writer);
        }
        File.Move(temporary, path, overwrite: true);
    }

    /// <summary>
    /// The k most probable labels of one line (k = <see cref="AllLabels"/> for all) with probability at least
    /// <paramref name="threshold"/>, best first, as `fasttext predict-prob` prints for the line followed by a newline.
    /// Newlines inside the text count as spaces: a document is one line.
    /// </summary>
    public IReadOnlyList<FastTextPrediction> Predict(string line, int k = 1, float threshold = 0f)
    {
        var s = scratch.Value!;
        var count = Score(s.Encode(line), k, threshold, s);
        var result = new FastTextPrediction[count];
        Fill(s, result);
        return result;
    }

    /// <summary>As <see cref="Predict(string, int, float)"/> over UTF-8 bytes with k = destination.Length; returns how many were written.</summary>
    public int Predict(ReadOnlySpan<byte> utf8Line, Span<FastTextPrediction> destination, float threshold = 0f)
    {
        if (destination.IsEmpty) return 0;
        var s = scratch.Value!;
        var count = Score(utf8Line, destination.Length, threshold, s);
        Fill(s, destination[..count]);
        return count;
    }

    /// <summary>The hidden vector predict uses: the mean of the line's input rows (zeros when the line has none).</summary>
    public float[] SentenceVector(string line)
    {
        var s = scratch.Value!;
        var vector = new float[Args.Dim];
        SentenceVector(s.Encode(line), vector);
        return vector;
    }

    /// <summary>Writes the mean of the line's input rows to <paramref name="destination"/>; false (and zeros) when the line has none.</summary>
    public bool SentenceVector(ReadOnlySpan<byte> utf8Line, Span<float> destination)
    {
        var s = scratch.Value!;
        Dictionary.GetLine(utf8Line, s.Ids, null, s.Hashes, endOfLine: true);
        return ComputeHidden(CollectionsMarshal.AsSpan(s.Ids), destination[..Args.Dim]);
    }

    private void Fill(Scratch s, Span<FastTextPrediction> destination)
    {
        for (var i = 0; i < destination.Length; i++)
        {
            var (score, label) = s.Heap[i];
            destination[i] = new FastTextPrediction(label, Dictionary.Labels[label], labelNames[label], MathF.Exp(score));
        }
    }

    /// <summary>Fills the scratch heap with the best labels, sorted best first; returns how many.</summary>
    private int Score(ReadOnlySpan<byte> line, int k, float threshold, Scratch s)
    {
        if (Args.Model != FastTextModelKind.Supervised) throw new InvalidOperationException("only supervised fastText models predict labels");
        if (k == AllLabels) k = Output.Rows;
        else if (k <= 0) throw new ArgumentOutOfRangeException(nameof(k), k, "k must be 1 or more (or AllLabels)");
        Dictionary.GetLine(line, s.Ids, null, s.Hashes, endOfLine: true);
        var hidden = s.Hidden.AsSpan();
        if (!ComputeHidden(CollectionsMarshal.AsSpan(s.Ids), hidden)) return 0;
        var count = 0;
        if (tree is not null)
        {
            Walk(k, StdLog(threshold), tree.Root, 0f, s.Heap, ref count, hidden);
        }
        else
        {
            var output = ComputeOutput(hidden, s.Output);
            count = FindKBest(k, threshold, s.Heap, output);
        }
        ScoredLabelHeap.Sort(s.Heap, count);
        return count;
    }

    private bool ComputeHidden(ReadOnlySpan<int> ids, Span<float> hidden)
    {
        hidden.Clear();
        if (ids.IsEmpty) return false;
        foreach (var id in ids) Input.AddRowToVector(hidden, id);
        var scale = (float)(1.0 / ids.Length);
        for (var j = 0; j < hidden.Length; j++) hidden[j] *= scale;
        return true;
    }

    /// <summary>The per-label probabilities (softmax, or sigmoids through fastText's table), in the front of <paramref name="buffer"/>.</summary>
    private Span<float> ComputeOutput(ReadOnlySpan<float> hidden, float[] buffer)
    {
        var output = buffer.AsSpan(0, Output.Rows);
        if (outputByColumn is not null) MultiplyByColumns(hidden, buffer.AsSpan(0, paddedLabels));
        else for (var i = 0; i < output.Length; i++) output[i] = Output.DotRow(hidden, i);
        if (Args.Loss == FastTextLoss.Softmax)
        {
            var max = output[0];
            foreach (var o in output) max = Math.Max(o, max);
            var z = 0f;
            for (var i = 0; i < output.Length; i++)
            {
                output[i] = (float)Math.Exp(output[i] - max);
                z += output[i];
            }
            for (var i = 0; i < output.Length; i++) output[i] /= z;
        }
        else
        {
            for (var i = 0; i < output.Length; i++) output[i] = Sigmoid(output[i]);
        }
        return output;
    }

    /// <summary>output[l] = Σ_j W[l, j] · hidden[j], vectorised across labels so each label still sums j = 0, 1, 2, ...</summary>
    private void MultiplyByColumns(ReadOnlySpan<float> hidden, Span<float> output)
    {
        var acc = MemoryMarshal.Cast<float, Vector<float>>(output);
        acc.Clear();
        var columns = MemoryMarshal.Cast<float, Vector<float>>(outputByColumn.AsSpan());
        var blocks = acc.Length;
        for (var j = 0; j < hidden.Length; j++)
        {
            var h = new Vector<float>(hidden[j]);
            var column = columns.Slice(j * blocks, blocks);
            for (var b = 0; b < blocks; b++) acc[b] += column[b] * h;
        }
    }

    private static int FindKBest(int k, float threshold, Span<ScoredLabel> heap, ReadOnlySpan<float> output)
    {
        var count = 0;
        for (var i = 0; i < output.Length; i++)
        {
            if (output[i] < threshold) continue;
            var score = StdLog(output[i]);
            if (count == k && score < heap[0].Score) continue;
            heap[count++] = new ScoredLabel(score, i);
            ScoredLabelHeap.Push(heap, count);
            if (count > k)
            {
                ScoredLabelHeap.Pop(heap, count);
                count--;
            }
        }
        return count;
    }

    /// <summary>fastText's HierarchicalSoftmaxLoss::dfs: a depth-first walk that prunes branches below the threshold or the k-th best.</summary>
    private void Walk(int k, float logThreshold, int node, float score, Span<ScoredLabel> heap, ref int count, ReadOnlySpan<float> hidden)
    {
        if (score < logThreshold) return;
        if (count == k && score < heap[0].Score) return;
        var t = tree!;
        if (t.IsLeaf(node))
        {
            heap[count++] = new ScoredLabel(score, node);
            ScoredLabelHeap.Push(heap, count);
            if (count > k)
            {
                ScoredLabelHeap.Pop(heap, count);
                count--;
            }
            return;
        }
        var f = Output.DotRow(hidden, node - t.LeafCount);
        f = (float)(1.0 / (1f + MathF.Exp(-f)));
        Walk(k, logThreshold, t.Left(node), score + StdLog((float)(1.0 - f)), heap, ref count, hidden);
        Walk(k, logThreshold, t.Right(node), score + StdLog(f), heap, ref count, hidden);
    }

    private static float StdLog(float x) => (float)Math.Log(x + 1e-5);

    private static float Sigmoid(float x)
    {
        if (x < -MaxSigmoid) return 0f;
        if (x > MaxSigmoid) return 1f;
        return SigmoidTable[(long)((x + MaxSigmoid) * SigmoidTableSize / MaxSigmoid / 2)];
    }

    private static float[] BuildSigmoidTable()
    {
        var table = new float[SigmoidTableSize + 1];
        for (var i = 0; i <= SigmoidTableSize; i++)
        {
            var x = (float)(i * 2 * MaxSigmoid) / SigmoidTableSize - MaxSigmoid;
            table[i] = (float)(1.0 / (1.0 + MathF.Exp(-x)));
        }
        return table;
    }

    /// <summary>One thread's buffers: token ids, word hashes, hidden and output vectors, the heap, UTF-8 bytes.</summary>
    private sealed class Scratch(int dim, int outputs)
    {
        public readonly List<int> Ids = new(256);
        public readonly List<int> Hashes = new(256);
        public readonly float[] Hidden = new float[dim];
        public readonly float[] Output = new float[Math.Max(outputs, 1)];
        public readonly ScoredLabel[] Heap = new ScoredLabel[Math.Max(outputs, 1) + 1];
        private byte[] utf8 = new byte[4096];

        public ReadOnlySpan<byte> Encode(string text)
        {
            var max = Encoding.UTF8.GetMaxByteCount(text.Length);
            if (utf8.Length < max) utf8 = new byte[Math.Max(max, utf8.Length * 2)];
            return utf8.AsSpan(0, Encoding.UTF8.GetBytes(text, utf8));
        }
    }
}
