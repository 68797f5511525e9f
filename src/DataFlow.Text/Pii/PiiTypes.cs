namespace DataFlow.Text.Pii;

/// <summary>Config names (snake_case, used in YAML and stats) and replacement tags for every <see cref="PiiType"/>.</summary>
public static class PiiTypes
{
    public static IReadOnlyList<PiiType> All { get; } = Enum.GetValues<PiiType>();

    public static int Count => All.Count;

    public static string ConfigName(PiiType type) => type switch
    {
        PiiType.Email => "email",
        PiiType.Ipv4 => "ipv4",
        PiiType.Ipv6 => "ipv6",
        PiiType.Phone => "phone",
        PiiType.PaymentCard => "payment_card",
        PiiType.Iban => "iban",
        PiiType.ChineseResidentId => "cn_resident_id",
        PiiType.UsSsn => "us_ssn",
        PiiType.AwsAccessKey => "aws_access_key",
        PiiType.GitHubToken => "github_token",
        PiiType.GitLabToken => "gitlab_token",
        PiiType.SlackToken => "slack_token",
        PiiType.PrivateKey => "private_key",
        PiiType.Jwt => "jwt",
        PiiType.UrlPassword => "url_password",
        _ => throw new ArgumentOutOfRangeException(nameof(type)),
    };

    public static string Tag(PiiType type) => type switch
    {
        PiiType.Email => "<EMAIL>",
        PiiType.Ipv4 or PiiType.Ipv6 => "<IP_ADDRESS>",
        PiiType.Phone => "<PHONE>",
        PiiType.PaymentCard => "<CARD_NUMBER>",
        PiiType.Iban => "<IBAN>",
        PiiType.ChineseResidentId => "<CN_ID>",
        PiiType.UsSsn => "<SSN>",
        PiiType.AwsAccessKey => "<AWS_KEY>",
        PiiType.GitHubToken => "<GITHUB_TOKEN>",
        PiiType.GitLabToken => "<GITLAB_TOKEN>",
        PiiType.SlackToken => "<SLACK_TOKEN>",
        PiiType.PrivateKey => "<PRIVATE_KEY>",
        PiiType.Jwt => "<JWT>",
        PiiType.UrlPassword => "<PASSWORD>",
        _ => throw new ArgumentOutOfRangeException(nameof(type)),
    };

    public static bool TryParse(string name, out PiiType type)
    {
        foreach (var t in All)
        {
            if (string.Equals(ConfigName(t), name, StringComparison.OrdinalIgnoreCase))
            {
                type = t;
                return true;
            }
        }
        type = default;
        return false;
    }
}
