using System.Numerics;
using DataFlow.Text.Pii;

namespace DataFlow.Tests.Pii;

/// <summary>
/// National phone formats, SSNs without separators, lower-case and grouped IBANs, internationalized e-mail addresses
/// and published sample values. Check digits are recomputed here from their published definitions (ISO 13616 mod 97
/// with big integers, Luhn by hand), not with the scanner's code.
/// </summary>
public sealed class PiiFormatTests
{
    private static readonly PiiScanner Scanner = new();
    private static readonly PiiScanner WithSamples = new(new PiiScanOptions { IncludeSampleValues = true });

    private static (PiiType Type, string Value)[] Find(string text, PiiScanner? scanner = null) =>
        (scanner ?? Scanner).Scan(text).Select(m => (m.Type, text.Substring(m.Start, m.Length))).ToArray();

    // Numbering plans: Ofcom (UK), BNetzA (DE), ARCEP (FR), ACMA (AU), DoT NNP 2003 (IN); see docs/pii.md.
    [Theory]
    [InlineData("Ring 0161 234 5678 after six.", "0161 234 5678")]          // UK 01x1, 4-3-4
    [InlineData("Ring 020 3123 4567 after six.", "020 3123 4567")]          // UK 02x, 3-4-4
    [InlineData("Call 01865 270000 or write.", "01865 270000")]             // UK 01xxx, 5-6
    [InlineData("Mobile 07911 123456.", "07911 123456")]                    // UK 07, 5-6
    [InlineData("Mobile 07911 123 456.", "07911 123 456")]                  // UK 07, 5-3-3
    [InlineData("Freephone 0800 123 4567.", "0800 123 4567")]               // UK 0800, 11 digits
    [InlineData("Tel. 030 12345678", "030 12345678")]                       // DE Berlin
    [InlineData("Tel. 0221/1234567", "0221/1234567")]                       // DE Köln, slash
    [InlineData("Handy 0151 23456789.", "0151 23456789")]                   // DE mobile 015x
    [InlineData("Appelez le 01 42 68 53 00.", "01 42 68 53 00")]            // FR
    [InlineData("Portable : 06.12.34.56.78", "06.12.34.56.78")]             // FR, dots
    [InlineData("Phone 02 9876 5432 now", "02 9876 5432")]                  // AU geographic
    [InlineData("Mobile 0412 345 678 now", "0412 345 678")]                 // AU mobile
    [InlineData("Call 1300 123 456 now", "1300 123 456")]                   // AU local-rate
    [InlineData("Call 98765 43210 now", "98765 43210")]                     // IN mobile
    [InlineData("Office 0422 2345678 now", "0422 2345678")]                 // IN landline, STD 0422
    [InlineData("Office 044 2345 6789 now", "044 2345 6789")]               // IN landline, Chennai
    public void FindsNationalPhoneNumbers(string text, string number)
    {
        Assert.Equal([(PiiType.Phone, number)], Find(text));
    }

    [Theory]
    [InlineData("zip 12345 67890 and 10001 10002")]                         // 5-5 not starting 6-9
    [InlineData("in 2024 123 456 units were sold")]                         // 4-3-3 not 04/1300/1800
    [InlineData("dates 01 01 2024 and 07 12 1999")]                         // day month year
    [InlineData("four pairs 01 23 45 67 only")]                             // not five pairs
    [InlineData("ISBN 0 306 40615 2 and ISBN 978 0 306 40615 7")]
    [InlineData("short 020 7183 and 0161 234")]                             // too few digits
    [InlineData("range 0100 200 300 400 500")]                              // a run of groups is a table
    [InlineData("the 12 345 678 people")]
    public void IgnoresOrdinaryNumbers(string text)
    {
        Assert.Empty(Find(text));
    }

    [Theory]
    [InlineData("SSN: 123456789.")]
    [InlineData("Her social security number is 219099998 on file")]
    [InlineData("ssn#123456789")]
    [InlineData("Soc. Sec. No. 401234567")]
    public void FindsSsnWithoutSeparatorsAfterAContextWord(string text)
    {
        var (type, value) = Assert.Single(Find(text));
        Assert.Equal(PiiType.UsSsn, type);
        Assert.Matches(@"^\d{9}$", value);
    }

    [Theory]
    [InlineData("order 123456789 shipped")]                                 // no context word
    [InlineData("SSN: 000123456, SSN: 666123456, SSN: 901234567")]           // SSA: area 000, 666, 900-999 never issued
    [InlineData("SSN: 123001234 and SSN: 123450000")]                       // group 00, serial 0000
    [InlineData("classnames 123456789")]                                    // 'ssn' inside a word
    [InlineData("SSN: 1234567890")]                                         // ten digits
    public void IgnoresNineDigitNumbersThatAreNotSsns(string text)
    {
        Assert.Empty(Find(text));
    }

    [Theory]
    [InlineData("pay to de44 5001 0517 5407 3249 31 today", "de44 5001 0517 5407 3249 31")]
    [InlineData("iban: gb02nwbk60161331926820.", "gb02nwbk60161331926820")]
    [InlineData("IBAN fr76 3000 6000 0112 3456 7890 189", "fr76 3000 6000 0112 3456 7890 189")]
    [InlineData("konto NL44 RABO 0123 4567 89", "NL44 RABO 0123 4567 89")]
    public void FindsLowerCaseAndGroupedIbans(string text, string iban)
    {
        Assert.Equal(1, Mod97(iban));                                       // the reference: ISO 13616 over a big integer
        Assert.Equal([(PiiType.Iban, iban)], Find(text));
    }

    [Theory]
    [InlineData("ref gb02nwbk60161331926820 in the log")]                   // compact lower case without the word IBAN: an identifier
    [InlineData("pay to de45 5001 0517 5407 3249 31 today")]                // one check digit off
    [InlineData("pay to De44 5001 0517 5407 3249 31 today")]                // mixed case
    public void IgnoresIbanLookalikes(string text)
    {
        Assert.Empty(Find(text));
    }

    [Theory]
    [InlineData("Schreiben Sie an müller@beispiel.de bitte", "müller@beispiel.de")]
    [InlineData("почта: пользователь@пример.рф.", "пользователь@пример.рф")]
    [InlineData("mail info@xn--80ak6aa92e.xn--p1ai today", "info@xn--80ak6aa92e.xn--p1ai")]
    [InlineData("邮箱 用户@例子.广告 ，", "用户@例子.广告")]
    [InlineData("联系张三zhangsan@qq.com或者", "zhangsan@qq.com")]
    [InlineData("संपर्क: राहुल@डाटामेल.भारत", "राहुल@डाटामेल.भारत")]
    [InlineData("write josé.garcía@correo.es now", "josé.garcía@correo.es")]
    public void FindsInternationalizedEmailAddresses(string text, string address)
    {
        Assert.Equal([(PiiType.Email, address)], Find(text));
    }

    [Theory]
    [InlineData("e-mail john@example.com", "john@example.com")]
    [InlineData("e-mail a@mail.example.org", "a@mail.example.org")]
    [InlineData("e-mail a@shop.test", "a@shop.test")]
    [InlineData("call (415) 555-0123", "(415) 555-0123")]
    [InlineData("call +1 212 555 0199", "+1 212 555 0199")]
    [InlineData("ring 020 7946 0958", "020 7946 0958")]
    [InlineData("ring 01632 960123", "01632 960123")]
    [InlineData("ring 07700 900123", "07700 900123")]
    [InlineData("ring +44 20 7946 0958", "+44 20 7946 0958")]
    [InlineData("appelez 01 99 00 12 34", "01 99 00 12 34")]
    [InlineData("phone 02 5550 1234", "02 5550 1234")]
    [InlineData("card 4111 1111 1111 1111", "4111 1111 1111 1111")]
    [InlineData("card 378282246310005", "378282246310005")]
    [InlineData("ssn 078-05-1120", "078-05-1120")]
    [InlineData("iban DE89 3704 0044 0532 0130 00", "DE89 3704 0044 0532 0130 00")]
    [InlineData("key AKIAIOSFODNN7EXAMPLE", "AKIAIOSFODNN7EXAMPLE")]
    public void PublishedSampleValuesAreLeftAloneUnlessAskedForButAlwaysMaskedForDisplay(string text, string value)
    {
        Assert.Empty(Find(text));
        Assert.Equal(value, Assert.Single(Find(text, WithSamples)).Value);
        Assert.DoesNotContain(value, PiiMask.ForDisplay(text));
    }

    [Theory]
    [InlineData("a@example.com.au")]
    [InlineData("a@myexample.com")]
    [InlineData("a@example.co.uk")]
    public void OnlyTheReservedDomainsAreSamples(string address)
    {
        Assert.Equal(address, Assert.Single(Find("mail " + address + " now")).Value);
    }

    [Fact]
    public void PublishedTestCardsPassLuhnSoTheListCannotHideRealFormats()
    {
        foreach (var card in new[] { "4111111111111111", "4242424242424242", "5555555555554444", "378282246310005", "6011111111111117", "3530111333300000", "30569309025904" })
        {
            int sum = 0;
            for (int i = 0; i < card.Length; i++)
            {
                int d = card[card.Length - 1 - i] - '0';
                sum += i % 2 == 1 ? (d * 2 > 9 ? d * 2 - 9 : d * 2) : d;
            }
            Assert.Equal(0, sum % 10);
            Assert.True(PiiSampleValues.IsSampleCard(card));
        }
    }

    /// <summary>ISO 13616: move the first four characters to the end, letters to 10..35, the number mod 97.</summary>
    private static int Mod97(string iban)
    {
        var s = iban.Replace(" ", "").ToUpperInvariant();
        s = s[4..] + s[..4];
        var digits = string.Concat(s.Select(c => char.IsDigit(c) ? c.ToString() : (c - 'A' + 10).ToString()));
        return (int)(BigInteger.Parse(digits) % 97);
    }
}
