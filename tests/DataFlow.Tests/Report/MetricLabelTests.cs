using DataFlow.Report;

namespace DataFlow.Tests.Report;

/// <summary>
/// Raw metric keys in words with units. The expected labels are written by hand from what each key means (docs/rlhf.md
/// for the paired PPO statistics, the rule pages for the drop reasons), not copied from the code's output.
/// </summary>
public class MetricLabelTests
{
    [Theory]
    [InlineData("final_eval_vs_sft_sampled_reward_gain_ci_high", "Final held-out learned reward of sampled answers: change vs SFT, 95 % interval high end")]
    [InlineData("eval_vs_sft_true_score_better", "Held-out true score: prompts better than SFT")]
    [InlineData("eval_vs_sft_true_score_sign_test_p", "Held-out true score: sign-test p-value vs SFT")]
    [InlineData("val_ppl", "Validation perplexity")]
    [InlineData("final_val_loss", "Final validation loss")]
    [InlineData("eval_kl", "Held-out KL to the reference policy")]
    [InlineData("dropped.fineweb.line_punct_ratio", "Dropped: FineWeb line punctuation ratio")]
    [InlineData("dropped.gopher_repetition.dup_para_frac", "Dropped: Gopher repetition duplicate paragraph fraction")]
    [InlineData("pii.ipv4", "PII: IPv4")]
    [InlineData("tokens_source.moby-dick.jsonl.gz", "Tokens source: moby-dick.jsonl.gz")]
    [InlineData("docs_with.email", "Documents with: email")]
    // Keys nobody has named yet: their snake_case words, abbreviations spelled out.
    [InlineData("mean_doc_len_chars", "Mean document len characters")]
    [InlineData("num_kl_spikes", "Number KL spikes")]
    public void Keys_read_as_words(string key, string label) => Assert.Equal(label, MetricLabel.Label(key));

    [Theory]
    [InlineData("final_exact_match", 0.5333333, "53.3 %")]
    [InlineData("eval_vs_sft_true_score_gain", -0.03, "-3.0 points")]
    [InlineData("eval_vs_sft_true_score_gain_ci_high", 0.021666, "+2.2 points")]
    [InlineData("eval_vs_sft_reward_gain", -0.0324, "-0.032")]
    [InlineData("bytes_in", 11313019, "11.31 MB")]
    [InlineData("dropped_bytes.fineweb.char_dup_ratio", 1008088, "1.01 MB")]
    [InlineData("docs_in", 31627, "31,627")]
    [InlineData("generation_s", 0.2317753, "0.232 s")]
    [InlineData("train_tokens_per_second", 11266.6, "11.3k tokens/s")]
    [InlineData("val_loss", 2.057453, "2.057 nats")]
    [InlineData("scoring_seconds", 1.5, "1.5 s")]
    public void Values_show_in_their_units(string key, double value, string shown) => Assert.Equal(shown, MetricLabel.Format(key, value));
}
