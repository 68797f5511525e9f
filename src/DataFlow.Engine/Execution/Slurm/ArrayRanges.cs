using System.Text;

namespace DataFlow.Engine.Execution.Slurm;

/// <summary>Writes sorted array indices as sbatch's compact range list: 0-3,5,7-9.</summary>
public static class ArrayRanges
{
    public static string Format(IEnumerable<int> indices)
    {
        var sorted = indices.Distinct().Order().ToList();
        var text = new StringBuilder();
        for (var i = 0; i < sorted.Count;)
        {
            var j = i;
            while (j + 1 < sorted.Count && sorted[j + 1] == sorted[j] + 1) j++;
            if (text.Length > 0) text.Append(',');
            text.Append(sorted[i]);
            if (j > i) text.Append('-').Append(sorted[j]);
            i = j + 1;
        }
        return text.ToString();
    }
}
