using System.Globalization;
using System.Numerics;
using System.Text.Json;
using System.Text.Json.Serialization;
using LivepeerAspire.Protocol.Eth;

namespace LivepeerAspire.Protocol.Payments;

/// <summary>
/// The winning tickets an orchestrator has not redeemed yet, in a JSON file, so that a restart does not throw away
/// money it has won (go-livepeer keeps them in its database's ticket store for the same reason). The file is
/// rewritten whole on every change, through a temporary file and a rename, so a crash leaves the old or the new
/// list, never half of one; winning tickets are rare (a few a minute), so whole rewrites cost nothing.
/// </summary>
public sealed class WinningTicketFile(string path)
{
    public const string FileName = "winning-tickets.json";

    public string Path => path;

    /// <summary>The tickets saved last, or none when the file does not exist.</summary>
    /// <exception cref="InvalidDataException">The file is not a list of winning tickets; the message says what to do.</exception>
    public IReadOnlyList<WinningTicket> Load()
    {
        if (!File.Exists(path))
        {
            return [];
        }

        try
        {
            var entries = JsonSerializer.Deserialize(File.ReadAllBytes(path), WinningTicketJson.Default.ListEntry)
                ?? throw new JsonException("the file holds null");
            return entries.Select(e => e.ToTicket()).ToList();
        }
        catch (Exception e) when (e is JsonException or FormatException or ArgumentException or NullReferenceException)
        {
            throw new InvalidDataException(
                $"{path} is not a list of winning tickets ({e.Message}); restore it from a backup, or move it aside to start without the tickets it held", e);
        }
    }

    public void Save(IEnumerable<WinningTicket> tickets)
    {
        var temporary = path + ".tmp";
        File.WriteAllBytes(temporary, JsonSerializer.SerializeToUtf8Bytes(tickets.Select(Entry.Of).ToList(), WinningTicketJson.Default.ListEntry));
        File.Move(temporary, path, overwrite: true);
    }

    /// <summary>One ticket: addresses and bytes in 0x hex, amounts as decimal strings (uint256 does not fit a JSON number).</summary>
    internal sealed record Entry(
        string Recipient,
        string Sender,
        string FaceValue,
        string WinProb,
        uint SenderNonce,
        string RecipientRandHash,
        long CreationRound,
        string CreationRoundBlockHash,
        string Signature,
        string RecipientRand,
        string ParamsExpirationBlock)
    {
        public static Entry Of(WinningTicket w) => new(
            w.Ticket.Recipient.ToString(),
            w.Ticket.Sender.ToString(),
            w.Ticket.FaceValue.ToString(CultureInfo.InvariantCulture),
            w.Ticket.WinProb.ToString(CultureInfo.InvariantCulture),
            w.Ticket.SenderNonce,
            Hex(w.Ticket.RecipientRandHash),
            w.Ticket.CreationRound,
            Hex(w.Ticket.CreationRoundBlockHash),
            Hex(w.Signature),
            w.RecipientRand.ToString(CultureInfo.InvariantCulture),
            w.ParamsExpirationBlock.ToString(CultureInfo.InvariantCulture));

        public WinningTicket ToTicket() => new(
            new Ticket(EthAddress.Parse(Recipient), EthAddress.Parse(Sender), Amount(FaceValue), Amount(WinProb), SenderNonce,
                Bytes(RecipientRandHash), CreationRound, Bytes(CreationRoundBlockHash)),
            Bytes(Signature),
            Amount(RecipientRand),
            Amount(ParamsExpirationBlock));

        private static string Hex(byte[] bytes) => "0x" + Convert.ToHexStringLower(bytes);

        private static byte[] Bytes(string hex) => Convert.FromHexString(hex.StartsWith("0x", StringComparison.OrdinalIgnoreCase) ? hex[2..] : hex);

        private static BigInteger Amount(string text) => BigInteger.Parse(text, NumberStyles.None, CultureInfo.InvariantCulture);
    }
}

[JsonSerializable(typeof(List<WinningTicketFile.Entry>), TypeInfoPropertyName = "ListEntry")]
[JsonSourceGenerationOptions(WriteIndented = true, PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase)]
internal sealed partial class WinningTicketJson : JsonSerializerContext;
