using DataFlow.Text.Pii;

namespace DataFlow.Tests.Pii;

public sealed class PiiRedactorTests
{
    private static readonly PiiScanner Scanner = new();
    private static readonly PiiPseudonymizer Pseudonyms = PiiPseudonymizer.FromPassphrase("test-key-0123456789abcdef");

    private static PiiRedaction Redact(string text, PiiRedactor redactor) => redactor.Redact(text, Scanner.Scan(text));

    [Fact]
    public void TagsEveryType()
    {
        var r = Redact("mail a.b@mailhost.org or call 13812345678", new PiiRedactor(new Dictionary<PiiType, PiiPolicy>()));
        Assert.Equal("mail <EMAIL> or call <PHONE>", r.Text);
        Assert.Equal(1, r.Count(PiiType.Email));
        Assert.Equal(1, r.Count(PiiType.Phone));
        Assert.False(r.Dropped);
    }

    [Fact]
    public void PseudonymsAreConsistentKeyedAndKeepTheShape()
    {
        var redactor = new PiiRedactor(new Dictionary<PiiType, PiiPolicy>(), PiiPolicy.Pseudonym, pseudonymizer: Pseudonyms);
        const string text = "card 4532 0151 1283 0366, id 11010519491231002X, iban DE44 5001 0517 5407 3249 31, again 4532 0151 1283 0366";
        var once = Redact(text, redactor).Text;
        Assert.Equal(once, Redact(text, redactor).Text);
        Assert.DoesNotContain("4532 0151 1283 0366", once);
        Assert.DoesNotContain("11010519491231002X", once);

        // The fakes are found again as the same types: same shape, valid check digits.
        var found = Scanner.Scan(once).Select(m => (m.Type, once.Substring(m.Start, m.Length))).ToArray();
        Assert.Equal([PiiType.PaymentCard, PiiType.ChineseResidentId, PiiType.Iban, PiiType.PaymentCard], found.Select(f => f.Type));
        Assert.Equal(found[0].Item2, found[3].Item2);
        Assert.Matches(@"^4\d{3} \d{4} \d{4} \d{4}$", found[0].Item2);

        var other = new PiiRedactor(new Dictionary<PiiType, PiiPolicy>(), PiiPolicy.Pseudonym,
            pseudonymizer: PiiPseudonymizer.FromPassphrase("another-key-0123456789"));
        Assert.NotEqual(once, Redact(text, other).Text);
    }

    [Fact]
    public void PseudonymsOfEveryTypeDifferFromTheValue()
    {
        foreach (var (type, value) in new (PiiType, string)[]
        {
            (PiiType.Email, "john@example.com"), (PiiType.Ipv4, "8.8.8.8"), (PiiType.Ipv6, "2001:4860::8888"),
            (PiiType.Phone, "+1 (415) 555-0123"), (PiiType.UsSsn, "123-45-6789"), (PiiType.AwsAccessKey, "AKIAIOSFODNN7EXAMPLE"),
            (PiiType.UrlPassword, "admin:s3cr3t"), (PiiType.Jwt, "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxIn0.abcdefghijklmnopqrs"),
        })
        {
            var fake = Pseudonyms.Pseudonym(type, value);
            Assert.NotEqual(value, fake);
            Assert.Equal(value.Length, type is PiiType.Ipv4 ? value.Length : fake.Length);
        }
    }

    [Fact]
    public void KeepCountsWithoutChanging()
    {
        var keep = new PiiRedactor(new Dictionary<PiiType, PiiPolicy> { [PiiType.Email] = PiiPolicy.Keep });
        var r = Redact("a@b.org and c@d.org and 13812345678", keep);
        Assert.Equal("a@b.org and c@d.org and <PHONE>", r.Text);
        Assert.Equal(2, r.Count(PiiType.Email));
    }

    [Fact]
    public void DropsOnlyAboveTheThreshold()
    {
        var drop = new PiiRedactor(new Dictionary<PiiType, PiiPolicy> { [PiiType.Phone] = PiiPolicy.Drop }, dropAbove: 1);
        var one = Redact("call 13812345678", drop);
        Assert.False(one.Dropped);
        Assert.Equal("call <PHONE>", one.Text);
        Assert.True(Redact("call 13812345678 or 13912345678", drop).Dropped);
    }

    [Fact]
    public void PseudonymPolicyNeedsAKey()
    {
        Assert.Throws<ArgumentException>(() => new PiiRedactor(new Dictionary<PiiType, PiiPolicy>(), PiiPolicy.Pseudonym));
        Assert.Throws<ArgumentException>(() => PiiPseudonymizer.FromPassphrase("short"));
    }

    [Fact]
    public void MaskForDisplayHidesEveryRange()
    {
        Assert.Equal("from <IP_ADDRESS> to <EMAIL>, key <AWS_KEY>", PiiMask.ForDisplay("from 192.168.0.1 to x@y.com, key AKIAIOSFODNN7EXAMPLE"));
        Assert.Equal("no pii here", PiiMask.ForDisplay("no pii here"));
        Assert.Equal("<PHONE> and mo…", PiiMask.ForDisplay("13812345678 and more text", 14));
    }

    [Theory]
    [InlineData(PiiType.UrlPassword, "svc-backup:Xy!$%^*_-9ab", @"^[a-z0-9]{10}:[A-Za-z0-9]{12}$")]
    [InlineData(PiiType.UrlPassword, "admin:p%40ss-w0rd_", @"^[a-z0-9]{5}:[A-Za-z0-9]{12}$")]
    [InlineData(PiiType.Email, "anna-maria.o_brien+news@mail.uni-example.de", @"^[a-z0-9]{23}@[a-z]{4}\.[a-z]{11}\.de$")]
    [InlineData(PiiType.Email, "müller@beispiel.de", @"^[a-z0-9]{6}@[a-z]{8}\.de$")]
    [InlineData(PiiType.Email, "用户@例子.广告", @"^[a-z0-9]{2}@[a-z]{2}\.广告$")]
    [InlineData(PiiType.UsSsn, "123456789", @"^\d{9}$")]
    [InlineData(PiiType.UsSsn, "123-45-6789", @"^\d{3}-\d{2}-\d{4}$")]
    [InlineData(PiiType.Phone, "+44 20 7183 0958", @"^\+44 \d{2} \d{4} \d{4}$")]
    [InlineData(PiiType.GitLabToken, "glpat-ab_cd-ef_gh-ij_kl-mn", @"^glpat-[A-Za-z0-9_-]{20}$")]
    public void PseudonymsKeepOnlyTheDocumentedShape(PiiType type, string value, string shape)
    {
        for (int k = 0; k < 20; k++)
        {
            var fake = PiiPseudonymizer.FromPassphrase($"shape-key-{k}-0123456789").Pseudonym(type, value);
            Assert.Matches(shape, fake);
        }
    }

    /// <summary>Where the original has a character the shape does not promise to keep, some key must put something else there.</summary>
    [Theory]
    [InlineData(PiiType.Jwt, "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxIn0.ab-cd_ef-gh_ij-kl_mn-op_qr", "-_")]
    [InlineData(PiiType.PrivateKey, "-----BEGIN PRIVATE KEY-----\nMIIE+/ab+/cd+/ef+/gh+/ij\nkl+/mn==\n-----END PRIVATE KEY-----", "+/")]
    [InlineData(PiiType.GitLabToken, "glpat-ab_cd-ef_gh-ij_kl-mn", "-_")]
    [InlineData(PiiType.UrlPassword, "root:!!$$%%^^**", "!$%^*")]
    [InlineData(PiiType.Email, "a.b-c_d+e@x-y.org", ".-_+")]
    public void NoPunctuationOfTheSecretSurvivesInPlace(PiiType type, string value, string punctuation)
    {
        // The type's prefix (glpat-, eyJ, the BEGIN line) is shape, not secret.
        int from = type switch { PiiType.GitLabToken => value.IndexOf('-') + 1, PiiType.PrivateKey => value.IndexOf('\n') + 1, _ => 0 };
        var kept = new HashSet<int>(Enumerable.Range(from, value.Length - from).Where(i => punctuation.Contains(value[i])));
        for (int k = 0; k < 20; k++)
        {
            var fake = PiiPseudonymizer.FromPassphrase($"place-key-{k}-0123456789").Pseudonym(type, value);
            Assert.Equal(value.Length, fake.Length);
            // Dots between e-mail domain labels are shape; every other listed character must be gone from its place.
            kept.RemoveWhere(i => fake[i] != value[i] || type == PiiType.Email && value[i] == '.' && i > value.IndexOf('@'));
        }
        Assert.Empty(kept);
    }

    [Fact]
    public void LowerCaseIbanPseudonymStaysValid()
    {
        var fake = Pseudonyms.Pseudonym(PiiType.Iban, "de44 5001 0517 5407 3249 31");
        Assert.StartsWith("de", fake);
        var found = Scanner.Scan("iban " + fake);
        Assert.Equal(PiiType.Iban, Assert.Single(found).Type);
    }
}
