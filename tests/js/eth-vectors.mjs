// Independent reference values for the C# Protocol/Eth and Protocol/Payments code, computed with ethers.js and
// Node's crypto. Reads {"cases":[{"op":…,…}]} as JSON on stdin and writes {"results":[…]} (same order) on stdout.
import { createHmac } from "node:crypto";
import {
  keccak256, toUtf8Bytes, getAddress, Wallet, SigningKey, hashMessage, getBytes, recoverAddress,
  solidityPacked, solidityPackedKeccak256, concat, zeroPadValue, toBeHex,
} from "ethers";

const chunks = [];
for await (const chunk of process.stdin) chunks.push(chunk);
const input = JSON.parse(Buffer.concat(chunks).toString("utf8"));

function ticketHash(t) {
  const aux = BigInt(t.creationRound) === 0n && BigInt(t.creationRoundBlockHash) === 0n
    ? "0x"
    : solidityPacked(["uint256", "bytes32"], [BigInt(t.creationRound), t.creationRoundBlockHash]);
  return solidityPackedKeccak256(
    ["address", "address", "uint256", "uint256", "uint256", "bytes32", "bytes"],
    [t.recipient, t.sender, BigInt(t.faceValue), BigInt(t.winProb), BigInt(t.senderNonce), t.recipientRandHash, aux]);
}

function run(c) {
  switch (c.op) {
    case "keccak": return keccak256(c.data);
    case "checksum": return getAddress(c.address);
    case "address": return new Wallet(c.key).address;
    case "personalHash": return hashMessage(getBytes(c.message));
    case "signDigest": return new SigningKey(c.key).sign(c.digest).serialized;
    case "personalSign": return new Wallet(c.key).signMessageSync(getBytes(c.message));
    case "signAddress": { const w = new Wallet(c.key); return w.signMessageSync(getBytes(keccak256(toUtf8Bytes(w.address)))); }
    case "segSig": {
      const msg = concat([toUtf8Bytes(c.manifestId), zeroPadValue(toBeHex(BigInt(c.seq)), 32), keccak256("0x")]);
      return new Wallet(c.key).signMessageSync(getBytes(keccak256(msg)));
    }
    case "recover": try { return recoverAddress(c.digest, c.sig); } catch { return null; }
    case "hmac": return "0x" + createHmac("sha256", Buffer.from(getBytes(c.key))).update(Buffer.from(getBytes(c.message))).digest("hex");
    case "ticket": {
      const hash = ticketHash(c);
      const sig = new Wallet(c.key).signMessageSync(getBytes(hash));
      const winHash = keccak256(concat([sig, zeroPadValue(toBeHex(BigInt(c.recipientRand)), 32)]));
      return { hash, sig, sender: new Wallet(c.key).address, wins: BigInt(winHash) < BigInt(c.winProb), recipientRandHash: keccak256(zeroPadValue(toBeHex(BigInt(c.recipientRand)), 32)) };
    }
    default: throw new Error("unknown op " + c.op);
  }
}

process.stdout.write(JSON.stringify({ results: input.cases.map(run) }));
