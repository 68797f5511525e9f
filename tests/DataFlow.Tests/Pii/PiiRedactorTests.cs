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
        var r = Redact("mail a.b@example.org or call 13812345678", new PiiRedactor(new Dictionary<PiiType, PiiPolicy>()));
        Assert.Equal("mail <EMAIL> or call <PHONE>", r.Text);
        Assert.Equal(1, r.Count(PiiType.Email));
        Assert.Equal(1, r.Count(PiiType.Phone));
        Assert.False(r.Dropped);
    }

    [Fact]
    public void PseudonymsAreConsistentKeyedAndKeepTheShape()
    {
        var redactor = new PiiRedactor(new Dictionary<PiiType, PiiPolicy>(), PiiPolicy.Pseudonym, pseudonymizer: Pseudonyms);
        const string text = "card 4111 1111 1111 1111, id 11010519491231002X, iban DE89 3704 0044 0532 0130 00, again 4111 1111 1111 1111";
        var once = Redact(text, redactor).Text;
        Assert.Equal(once, Redact(text, redactor).Text);
        Assert.DoesNotContain("4111 1111 1111 1111", once);
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
}
