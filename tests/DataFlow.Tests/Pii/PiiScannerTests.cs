using DataFlow.Text.Pii;

namespace DataFlow.Tests.Pii;

public sealed class PiiScannerTests
{
    private static readonly PiiScanner Scanner = new();

    private static (PiiType Type, string Value)[] Find(string text, PiiScanner? scanner = null) =>
        (scanner ?? Scanner).Scan(text).Select(m => (m.Type, text.Substring(m.Start, m.Length))).ToArray();

    [Theory]
    [InlineData("mail john.doe42@example.co.uk now", PiiType.Email, "john.doe42@example.co.uk")]
    [InlineData("联系张三zhangsan@qq.com或者", PiiType.Email, "zhangsan@qq.com")]
    [InlineData("QQ邮箱13812345678@163.com，", PiiType.Email, "13812345678@163.com")]
    [InlineData("server 8.8.4.4:53 answered", PiiType.Ipv4, "8.8.4.4")]
    [InlineData("服务器IP为123.57.10.8，请", PiiType.Ipv4, "123.57.10.8")]
    [InlineData("[2001:4860:4860::8888]:443", PiiType.Ipv6, "2001:4860:4860::8888")]
    [InlineData("addr 2a03:2880:f12f:83:face:b00c:0:25de.", PiiType.Ipv6, "2a03:2880:f12f:83:face:b00c:0:25de")]
    [InlineData("call +1 (415) 823-0123 today", PiiType.Phone, "+1 (415) 823-0123")]
    [InlineData("call (415) 823-0123 today", PiiType.Phone, "(415) 823-0123")]
    [InlineData("call 1-415-823-0123 today", PiiType.Phone, "1-415-823-0123")]
    [InlineData("ring +44 20 7183 0958.", PiiType.Phone, "+44 20 7183 0958")]
    [InlineData("ring 020 7183 0958.", PiiType.Phone, "020 7183 0958")]
    [InlineData("appelez le 01 23 45 67 89 svp", PiiType.Phone, "01 23 45 67 89")]
    [InlineData("Tel. 030/12345678", PiiType.Phone, "030/12345678")]
    [InlineData("电话13812345678联系", PiiType.Phone, "13812345678")]
    [InlineData("手机：+86 138 1234 5678。", PiiType.Phone, "+86 138 1234 5678")]
    [InlineData("座机（0755）2345678转", PiiType.Phone, "（0755）2345678")]
    [InlineData("座机010-62345678转", PiiType.Phone, "010-62345678")]
    [InlineData("Visa 4532 0151 1283 0366 ok", PiiType.PaymentCard, "4532 0151 1283 0366")]
    [InlineData("Amex 3782-822463-12340 ok", PiiType.PaymentCard, "3782-822463-12340")]
    [InlineData("银联卡6212345678901232号", PiiType.PaymentCard, "6212345678901232")]
    [InlineData("IBAN DE44 5001 0517 5407 3249 31.", PiiType.Iban, "DE44 5001 0517 5407 3249 31")]
    [InlineData("to GB02NWBK60161331926820 please", PiiType.Iban, "GB02NWBK60161331926820")]
    [InlineData("身份证号11010519491231002X。", PiiType.ChineseResidentId, "11010519491231002X")]
    [InlineData("SSN: 123-45-6789.", PiiType.UsSsn, "123-45-6789")]
    [InlineData("key=AKIAIOSFODNN7QWERTYZ;", PiiType.AwsAccessKey, "AKIAIOSFODNN7QWERTYZ")]
    [InlineData("token ghp_abcdefghijklmnopqrstuvwxyz0123456789 x", PiiType.GitHubToken, "ghp_abcdefghijklmnopqrstuvwxyz0123456789")]
    [InlineData("token glpat-abcdefghij0123456789 x", PiiType.GitLabToken, "glpat-abcdefghij0123456789")]
    [InlineData("xoxb-123456789012-1234567890123-AbCdEfGhIjKlMnOpQrStUvWx", PiiType.SlackToken, "xoxb-123456789012-1234567890123-AbCdEfGhIjKlMnOpQrStUvWx")]
    [InlineData("jwt eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjM0NTY3ODkwIn0.dozjgNryP4J3jVmNHl0w5N_XgL0n3I9Pl.", PiiType.Jwt, "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjM0NTY3ODkwIn0.dozjgNryP4J3jVmNHl0w5N_XgL0n3I9Pl")]
    [InlineData("db postgres://admin:s3cr3t@db.example.com:5432/x", PiiType.UrlPassword, "admin:s3cr3t")]
    public void FindsValueInContext(string text, PiiType type, string value)
    {
        Assert.Equal([(type, value)], Find(text));
    }

    [Fact]
    public void FindsWholePrivateKeyBlock()
    {
        var key = "-----BEGIN RSA PRIVATE KEY-----\nMIIEowIBAAKCAQEAx4Y\nabc+/=\n-----END RSA PRIVATE KEY-----";
        Assert.Equal([(PiiType.PrivateKey, key)], Find("before\n" + key + "\nafter"));
    }

    [Theory]
    [InlineData("icon@2x.png and @types/node@1.2.3 and @username")]
    [InlineData("version v1.2.3.4, 10.0.19041.1, 3.11.4 and pi 3.14159265358979")]
    [InlineData("private 192.168.1.1, 10.0.0.5, loopback 127.0.0.1 ::1, docs 192.0.2.33 2001:db8::1, mask 255.255.255.0")]
    [InlineData("times 10:30:45, 2023-08-15 14:30:00, epoch 1692109800, ms 1692109800123, std::vector, a::b")]
    [InlineData("ISBN 978-3-16-148410-0, ISBN 0-306-40615-2, 9783161484100")]
    [InlineData("order 20230815000123, 订单号2023081512345678, SO-2023-004512, #100234")]
    [InlineData("bad cards 4111 1111 1111 1112, 4111-1111-1111-1113, 1234 5678 9012 3456")]
    [InlineData("bad ids 110105194912310021, 110105194913310029, 990105194912310021")]
    [InlineData("bad ssn 000-12-3456, 666-12-3456, 912-34-5678, 123-00-4567, 123-45-0000")]
    [InlineData("bad iban DE89 3704 0044 0532 0130 01 and XX12345678")]
    [InlineData("the years 1990 2000 2010 and 12 345 678 people, chapter 12.3.4")]
    [InlineData("Code: c7 00 05 00 00 00 eb 04 24 10 89 44 90 90 90 90 89 ec 5d c3")]
    [InlineData("Linux 2.6.20.1-exp (linmac) and kernel 4.19.128_x86")]
    [InlineData("<8b> 83 3c 04 24 10 89 44  24 14 8b 45")]
    [InlineData("Version 10.0.19.1, Linux 2.6.18.8 and 软件版本：4.2.1.7")]
    public void IgnoresDecoys(string text)
    {
        Assert.Empty(Find(text));
    }

    [Fact]
    public void ReportsPrivateAndLoopbackRangesOnlyWhenAsked()
    {
        const string text = "hosts 192.168.1.1 and 127.0.0.1 and 192.0.2.7 and fe80::1 and 8.8.8.8";
        Assert.Single(Find(text));
        var all = new PiiScanner(new PiiScanOptions { IncludePrivateIps = true, IncludeLoopbackIps = true, IncludeDocumentationIps = true });
        Assert.Equal(5, Find(text, all).Length);
        var privateOnly = new PiiScanner(new PiiScanOptions { IncludePrivateIps = true });
        Assert.Equal(["192.168.1.1", "fe80::1", "8.8.8.8"], Find(text, privateOnly).Select(f => f.Value));
    }

    [Fact]
    public void FindsSeveralValuesInOneChineseSentence()
    {
        const string text = "张三的手机13912345678，邮箱zs@example.cn，身份证11010519491231002X，卡号6212345678901232。";
        Assert.Equal(
            [PiiType.Phone, PiiType.Email, PiiType.ChineseResidentId, PiiType.PaymentCard],
            Find(text).Select(f => f.Type));
    }

    [Fact]
    public void HonoursTheTypeSelection()
    {
        var emailsOnly = new PiiScanner(new PiiScanOptions { Types = new HashSet<PiiType> { PiiType.Email } });
        Assert.Equal([(PiiType.Email, "a@b.org")], Find("a@b.org 8.8.8.8 13812345678", emailsOnly));
    }
}

public sealed class PiiScannerFuzzTests
{
    [Fact]
    public void RandomTextOfTriggerCharactersNeverThrowsAndMatchesStayInOrder()
    {
        const string alphabet = "0123456789 -./()（）@:+_AJKISeyxXghlpatob.comDE张三\n-----BEGIN PRIVATE KEY";
        var random = new Random(11);
        var scanner = new PiiScanner(PiiScanOptions.Everything);
        for (int round = 0; round < 3000; round++)
        {
            var chars = new char[random.Next(1, 200)];
            for (int i = 0; i < chars.Length; i++) chars[i] = alphabet[random.Next(alphabet.Length)];
            var text = new string(chars);
            var matches = scanner.Scan(text);
            for (int i = 0; i < matches.Count; i++)
            {
                Assert.InRange(matches[i].End, matches[i].Start + 1, text.Length);
                if (i > 0) Assert.True(matches[i].Start >= matches[i - 1].End);
            }
        }
    }

    // The scan tests triggers 64 characters at a time; a value must be found wherever it falls against those blocks, and
    // characters whose low byte is a trigger ('Ā' + 0x2B is U+012B, not '+') must not be taken for one.
    [Theory]
    [InlineData("jane.roe@mail.de", PiiType.Email)]
    [InlineData("+44 20 7183 0958", PiiType.Phone)]
    [InlineData("4556 7375 8689 9855", PiiType.PaymentCard)]
    [InlineData("AKIAZ7VRSQ5TLMNOPQ2X", PiiType.AwsAccessKey)]
    [InlineData("8.8.4.4", PiiType.Ipv4)]
    [InlineData("2001:4860:4860::8888", PiiType.Ipv6)]
    [InlineData("ghp_abcdefghijklmnopqrstuvwxyz0123456789", PiiType.GitHubToken)]
    public void ValuesAreFoundAtEveryOffsetAgainstTheScanBlocks(string value, PiiType type)
    {
        const string filler = "x\u012B\u0140\u0130\u8030\u015F\u014A y\u0141";   // low bytes '+', '@', '0', '0', '_', 'J', 'A'
        for (int offset = 0; offset <= 140; offset++)
        {
            var before = string.Concat(Enumerable.Repeat(filler, offset / filler.Length + 1))[..offset];
            var text = before + " " + value + " " + filler + filler;
            var found = new PiiScanner().Scan(text);
            Assert.True(found.Count == 1, $"offset {offset}: {found.Count} matches");
            Assert.Equal((type, offset + 1, value.Length), (found[0].Type, found[0].Start, found[0].Length));
        }
        Assert.Empty(new PiiScanner().Scan(string.Concat(Enumerable.Repeat(filler, 40))));
    }
}
