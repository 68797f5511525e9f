namespace DataFlow.Text.Pii;

/// <summary>Kinds of personal data and secrets the scanner detects; each has a config name and a replacement tag.</summary>
public enum PiiType
{
    Email,
    Ipv4,
    Ipv6,
    Phone,
    PaymentCard,
    Iban,
    ChineseResidentId,
    UsSsn,
    AwsAccessKey,
    GitHubToken,
    GitLabToken,
    SlackToken,
    PrivateKey,
    Jwt,
    UrlPassword,
}
