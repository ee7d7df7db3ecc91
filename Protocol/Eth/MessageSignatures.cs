using System.Text;

namespace LivepeerAspire.Protocol.Eth;

/// <summary>
/// go-livepeer's message signatures (OrchestratorRequest.sig, OrchInfoSig, segment credentials): personal_sign over
/// keccak256(message). Ticket signatures differ: they sign the 32-byte ticket hash itself (see Payments.Ticket).
/// </summary>
public static class MessageSignatures
{
    public static byte[] Sign(EthAccount account, ReadOnlySpan<byte> message) => account.SignPersonal(Keccak256.Hash(message));

    public static bool Verify(EthAddress signer, ReadOnlySpan<byte> message, ReadOnlySpan<byte> signature, ISecp256k1? crypto = null) =>
        (crypto ?? Secp256k1.Default).TryRecover(PersonalSign.Hash(Keccak256.Hash(message)), signature, out var key) && key!.Address == signer;

    /// <summary>The gateway's OrchestratorRequest.sig: a signature over its own checksummed address text.</summary>
    public static byte[] SignOwnAddress(EthAccount account) => Sign(account, Encoding.UTF8.GetBytes(account.Address.ToString()));

    /// <summary>The orchestrator's check of OrchestratorRequest.sig against OrchestratorRequest.address.</summary>
    public static bool VerifyAddressSignature(EthAddress address, ReadOnlySpan<byte> signature, ISecp256k1? crypto = null) =>
        Verify(address, Encoding.UTF8.GetBytes(address.ToString()), signature, crypto);
}
