using DataFlow.Trainer.Model;
using static TorchSharp.torch;
using F = TorchSharp.torch.nn.functional;

namespace DataFlow.Trainer.Scoring;

/// <summary>
/// Scores documents with a causal language model, many per forward pass. A document is its tokens after the
/// document separator (<paramref name="startId"/>, as pretraining packs documents), cut to <paramref name="maxTokens"/>;
/// each of those tokens is predicted from the ones before it. A document longer than the model's context is scored on
/// consecutive windows of the context length; a window sees only its own tokens (no context carried over from the one before).
/// Windows are sorted by length and packed into rows of up to <paramref name="batchTokens"/> tokens (rows right-padded:
/// causal attention keeps padding out of every real position), so a batch gives the same losses as one window at a time.
/// </summary>
public sealed class DocumentScorer(Transformer model, int startId, int maxTokens, int batchTokens)
{
    private readonly int _context = model.Config.ContextLength;

    public int MaxTokens { get; } = maxTokens > 0 ? maxTokens : throw new ArgumentOutOfRangeException(nameof(maxTokens), "max_tokens must be positive");

    /// <summary>The losses of <paramref name="documents"/> (token ids, without the separator), in order.</summary>
    public SequenceLoss[] Score(IReadOnlyList<int[]> documents)
    {
        var windows = new List<Window>();
        for (var d = 0; d < documents.Count; d++)
        {
            var tokens = documents[d];
            var scored = Math.Min(tokens.Length, MaxTokens);
            // The sequence is [start, t0 .. t(scored-1)]: window k predicts targets k*C+1 .. from inputs k*C .. .
            for (var begin = 0; begin < scored; begin += _context)
                windows.Add(new Window(d, begin, Math.Min(_context, scored - begin)));
        }
        var nll = new double[documents.Count];
        var counts = new int[documents.Count];
        // Longest first, so rows of one batch have similar lengths and padding stays small.
        var order = windows.OrderByDescending(w => w.Length).ThenBy(w => w.Document).ThenBy(w => w.Begin).ToList();
        model.eval();
        using var noGrad = no_grad();
        for (var start = 0; start < order.Count;)
        {
            var width = order[start].Length;
            var rows = Math.Max(1, Math.Min(order.Count - start, batchTokens / width));
            var batch = order.GetRange(start, rows);
            var losses = Forward(batch, width, documents);
            for (var r = 0; r < rows; r++)
            {
                nll[batch[r].Document] += losses[r];
                counts[batch[r].Document] += batch[r].Length;
            }
            start += rows;
        }
        return nll.Select((x, d) => new SequenceLoss(x, counts[d])).ToArray();
    }

    /// <summary>Summed NLL of each window's targets, one forward pass for the whole batch.</summary>
    private double[] Forward(List<Window> batch, int width, IReadOnlyList<int[]> documents)
    {
        using var scope = NewDisposeScope();
        var inputs = new long[batch.Count * width];
        var targets = new long[batch.Count * width];
        var mask = new float[batch.Count * width];
        for (var r = 0; r < batch.Count; r++)
        {
            var (d, begin, length) = batch[r];
            var tokens = documents[d];
            for (var i = 0; i < length; i++)
            {
                var position = begin + i; // target tokens[position]; its input is the token before it, or the separator
                inputs[r * width + i] = position == 0 ? startId : tokens[position - 1];
                targets[r * width + i] = tokens[position];
                mask[r * width + i] = 1;
            }
        }
        var logits = model.forward(tensor(inputs, [batch.Count, width]));
        var logProbabilities = F.log_softmax(logits.to(ScalarType.Float32), -1);
        var picked = logProbabilities.gather(-1, tensor(targets, [batch.Count, width]).unsqueeze(-1)).squeeze(-1);
        var sums = -(picked.to(ScalarType.Float64) * tensor(mask, [batch.Count, width]).to(ScalarType.Float64)).sum(1);
        return sums.data<double>().ToArray();
    }

    private readonly record struct Window(int Document, int Begin, int Length);
}
