using System.Numerics;
using System.Reflection;
using System.Text.Json;
using Nethereum.ABI.FunctionEncoding.Attributes;
using Nethereum.Contracts;

namespace LivepeerAspire.Protocol.Ledger.Chain;

/// <summary>One compiled contract of chain/compiled (embedded in this assembly): its ABI and creation bytecode.</summary>
internal sealed record CompiledContract(string Name, string Abi, string Bytecode)
{
    public static readonly CompiledContract RoundsManager = Load("RoundsManager");
    public static readonly CompiledContract Registry = Load("OrchestratorRegistry");
    public static readonly CompiledContract TicketBroker = Load("TicketBroker");

    private static CompiledContract Load(string name)
    {
        using var stream = Assembly.GetExecutingAssembly().GetManifestResourceStream($"Chain.{name}.json")
            ?? throw new InvalidOperationException($"contract {name} is not embedded (chain/compiled/{name}.json)");
        using var json = JsonDocument.Parse(stream);
        return new CompiledContract(name, json.RootElement.GetProperty("abi").GetRawText(), json.RootElement.GetProperty("bytecode").GetString()!);
    }
}

/// <summary>TicketBroker.Ticket as the ABI tuple.</summary>
[Struct("Ticket")]
internal sealed class TicketTuple
{
    [Parameter("address", "recipient", 1)] public string Recipient { get; set; } = "";
    [Parameter("address", "sender", 2)] public string Sender { get; set; } = "";
    [Parameter("uint256", "faceValue", 3)] public BigInteger FaceValue { get; set; }
    [Parameter("uint256", "winProb", 4)] public BigInteger WinProb { get; set; }
    [Parameter("uint256", "senderNonce", 5)] public BigInteger SenderNonce { get; set; }
    [Parameter("bytes32", "recipientRandHash", 6)] public byte[] RecipientRandHash { get; set; } = [];
    [Parameter("bytes", "auxData", 7)] public byte[] AuxData { get; set; } = [];

    public static TicketTuple From(Payments.Ticket ticket) => new()
    {
        Recipient = ticket.Recipient.ToLowerHex(),
        Sender = ticket.Sender.ToLowerHex(),
        FaceValue = ticket.FaceValue,
        WinProb = ticket.WinProb,
        SenderNonce = ticket.SenderNonce,
        RecipientRandHash = ticket.RecipientRandHash,
        AuxData = ticket.AuxData(),
    };
}

[Function("redeemWinningTicket")]
internal sealed class RedeemWinningTicketFunction : FunctionMessage
{
    [Parameter("tuple", "_ticket", 1)] public TicketTuple Ticket { get; set; } = new();
    [Parameter("bytes", "_sig", 2)] public byte[] Sig { get; set; } = [];
    [Parameter("uint256", "_recipientRand", 3)] public BigInteger RecipientRand { get; set; }
}

[Function("getTicketHash", "bytes32")]
internal sealed class GetTicketHashFunction : FunctionMessage
{
    [Parameter("tuple", "_ticket", 1)] public TicketTuple Ticket { get; set; } = new();
}

[Function("recoverSigner", "address")]
internal sealed class RecoverSignerFunction : FunctionMessage
{
    [Parameter("bytes32", "_ticketHash", 1)] public byte[] TicketHash { get; set; } = [];
    [Parameter("bytes", "_sig", 2)] public byte[] Sig { get; set; } = [];
}

[Function("fundDepositAndReserve")]
internal sealed class FundDepositAndReserveFunction : FunctionMessage
{
    [Parameter("uint256", "_depositAmount", 1)] public BigInteger DepositAmount { get; set; }
    [Parameter("uint256", "_reserveAmount", 2)] public BigInteger ReserveAmount { get; set; }
}

[Function("fundDeposit")]
internal sealed class FundDepositFunction : FunctionMessage;

[Function("fundReserve")]
internal sealed class FundReserveFunction : FunctionMessage;

[Function("unlock")]
internal sealed class UnlockFunction : FunctionMessage;

[Function("cancelUnlock")]
internal sealed class CancelUnlockFunction : FunctionMessage;

[Function("withdraw")]
internal sealed class WithdrawFunction : FunctionMessage;

[Function("getSenderInfo", typeof(SenderInfoOutput))]
internal sealed class GetSenderInfoFunction : FunctionMessage
{
    [Parameter("address", "_sender", 1)] public string Sender { get; set; } = "";
}

[FunctionOutput]
internal sealed class SenderInfoOutput : IFunctionOutputDTO
{
    [Parameter("uint256", "deposit", 1)] public BigInteger Deposit { get; set; }
    [Parameter("uint256", "withdrawRound", 2)] public BigInteger WithdrawRound { get; set; }
    [Parameter("uint256", "reserveFunds", 3)] public BigInteger ReserveFunds { get; set; }
}

[Function("usedTickets", "bool")]
internal sealed class UsedTicketsFunction : FunctionMessage
{
    [Parameter("bytes32", "", 1)] public byte[] Hash { get; set; } = [];
}

[Function("claimableReserve", "uint256")]
internal sealed class ClaimableReserveFunction : FunctionMessage
{
    [Parameter("address", "_reserveHolder", 1)] public string ReserveHolder { get; set; } = "";
    [Parameter("address", "_claimant", 2)] public string Claimant { get; set; } = "";
}

[Function("ticketValidityPeriod", "uint256")]
internal sealed class TicketValidityPeriodFunction : FunctionMessage;

[Function("registerFor")]
internal sealed class RegisterForFunction : FunctionMessage
{
    [Parameter("address", "_addr", 1)] public string Address { get; set; } = "";
    [Parameter("string", "_serviceURI", 2)] public string ServiceUri { get; set; } = "";
    [Parameter("uint256", "_stake", 3)] public BigInteger Stake { get; set; }
}

[Function("setServiceURI")]
internal sealed class SetServiceUriFunction : FunctionMessage
{
    [Parameter("string", "_serviceURI", 1)] public string ServiceUri { get; set; } = "";
}

[Function("setTicketBroker")]
internal sealed class SetTicketBrokerFunction : FunctionMessage
{
    [Parameter("address", "_ticketBroker", 1)] public string TicketBroker { get; set; } = "";
}

[Function("owner", "address")]
internal sealed class OwnerFunction : FunctionMessage;

[Function("getOrchestrators", typeof(OrchestratorsOutput))]
internal sealed class GetOrchestratorsFunction : FunctionMessage;

[FunctionOutput]
internal sealed class OrchestratorsOutput : IFunctionOutputDTO
{
    [Parameter("address[]", "addrs", 1)] public List<string> Addresses { get; set; } = [];
    [Parameter("string[]", "uris", 2)] public List<string> Uris { get; set; } = [];
    [Parameter("uint256[]", "stakes", 3)] public List<BigInteger> Stakes { get; set; } = [];
    [Parameter("uint256[]", "fees", 4)] public List<BigInteger> Fees { get; set; } = [];
}

[Function("roundLength", "uint256")]
internal sealed class RoundLengthFunction : FunctionMessage;

[Function("lastInitializedRound", "uint256")]
internal sealed class LastInitializedRoundFunction : FunctionMessage;

[Function("currentRoundInitialized", "bool")]
internal sealed class CurrentRoundInitializedFunction : FunctionMessage;

[Function("initializeRound")]
internal sealed class InitializeRoundFunction : FunctionMessage;

[Function("blockHashForRound", "bytes32")]
internal sealed class BlockHashForRoundFunction : FunctionMessage
{
    [Parameter("uint256", "_round", 1)] public BigInteger Round { get; set; }
}

[Event("WinningTicketTransfer")]
internal sealed class WinningTicketTransferEvent : IEventDTO
{
    [Parameter("address", "sender", 1, true)] public string Sender { get; set; } = "";
    [Parameter("address", "recipient", 2, true)] public string Recipient { get; set; } = "";
    [Parameter("uint256", "amount", 3, false)] public BigInteger Amount { get; set; }
}

[Event("ReserveClaimed")]
internal sealed class ReserveClaimedEvent : IEventDTO
{
    [Parameter("address", "reserveHolder", 1, true)] public string ReserveHolder { get; set; } = "";
    [Parameter("address", "claimant", 2, false)] public string Claimant { get; set; } = "";
    [Parameter("uint256", "amount", 3, false)] public BigInteger Amount { get; set; }
}

[Event("Withdrawal")]
internal sealed class WithdrawalEvent : IEventDTO
{
    [Parameter("address", "sender", 1, true)] public string Sender { get; set; } = "";
    [Parameter("uint256", "deposit", 2, false)] public BigInteger Deposit { get; set; }
    [Parameter("uint256", "reserve", 3, false)] public BigInteger Reserve { get; set; }
}

[Event("WinningTicketRedeemed")]
internal sealed class WinningTicketRedeemedEvent : IEventDTO
{
    [Parameter("address", "sender", 1, true)] public string Sender { get; set; } = "";
    [Parameter("address", "recipient", 2, true)] public string Recipient { get; set; } = "";
    [Parameter("uint256", "faceValue", 3, false)] public BigInteger FaceValue { get; set; }
    [Parameter("uint256", "winProb", 4, false)] public BigInteger WinProb { get; set; }
    [Parameter("uint256", "senderNonce", 5, false)] public BigInteger SenderNonce { get; set; }
    [Parameter("uint256", "recipientRand", 6, false)] public BigInteger RecipientRand { get; set; }
    [Parameter("bytes", "auxData", 7, false)] public byte[] AuxData { get; set; } = [];
}
