using DataFlow.Engine.Config;
using DataFlow.Jobs;
using DataFlow.Jobs.Pii;
using DataFlow.Text.Pii;

namespace DataFlow.Tests.Pii;

public sealed class PiiStageTypeTests
{
    private static PiiStageSettings Read(string yaml) => PiiStageType.ReadSettings(ConfigSection.Parse(yaml, "test.yaml"));

    [Fact]
    public void DefaultsTagEverythingAndReportOnlyPublicIps()
    {
        var s = Read("tasks: 1");
        Assert.Equal(PiiPolicy.Tag, s.DefaultPolicy);
        Assert.Null(s.Scan.Types);
        Assert.False(s.Scan.IncludePrivateIps);
        Assert.False(s.UsesPseudonyms);
        Assert.Equal("DATAFLOW_PII_KEY", s.KeyVariable);
    }

    [Fact]
    public void ReadsPoliciesPerTypeAndRanges()
    {
        var s = Read("""
            types: [email, phone]
            policy: keep
            policies:
              email: pseudonym
              phone: drop
            drop_above: 3
            include_private_ips: true
            pseudonym_key_env: MY_KEY
            """);
        Assert.Equal(new HashSet<PiiType> { PiiType.Email, PiiType.Phone }, s.Scan.Types);
        Assert.Equal(PiiPolicy.Pseudonym, s.Policies[PiiType.Email]);
        Assert.Equal(PiiPolicy.Drop, s.Policies[PiiType.Phone]);
        Assert.Equal(3, s.DropAbove);
        Assert.True(s.Scan.IncludePrivateIps);
        Assert.True(s.UsesPseudonyms);
        Assert.Equal("MY_KEY", s.KeyVariable);
    }

    [Theory]
    [InlineData("types: [email, passport]", "passport")]
    [InlineData("policy: hide", "hide")]
    [InlineData("policies:\n  emial: tag", "emial")]
    [InlineData("pseudonym_key_env: 'my secret key value'", "NAME of an environment variable")]
    public void RejectsBadKeysNamingThem(string yaml, string expected)
    {
        var e = Assert.Throws<ConfigException>(() => Read(yaml));
        Assert.Contains(expected, e.Message);
        Assert.Contains("test.yaml", e.Message);
    }

    [Fact]
    public void IsRegisteredAndTheSampleConfigsLoad()
    {
        Assert.NotNull(StandardStages.Create().Find("pii"));
        var conf = Path.Combine(RepoRoot(), "conf", "pii");
        foreach (var file in new[] { "default.yaml", "pseudonymize.yaml" })
        {
            var section = ConfigSection.LoadFile(Path.Combine(conf, file));
            var s = PiiStageType.ReadSettings(section);
            section.EnsureAllKeysUsed();
            Assert.Equal(file == "pseudonymize.yaml", s.UsesPseudonyms);
        }
    }

    private static string RepoRoot()
    {
        var dir = AppContext.BaseDirectory;
        while (!File.Exists(Path.Combine(dir, "DataFlow.sln"))) dir = Path.GetDirectoryName(dir)!;
        return dir;
    }
}
