// A foreign gRPC client of net.Orchestrator: @grpc/grpc-js with the tests' own copy of go-livepeer's lp_rpc.proto.
// Usage: node grpc-orchestrator-client.mjs <https service url> <cert.pem the orchestrator presents> [gateway private key]
// With a key the request carries the gateway's address and its personal_sign over keccak256 of the checksummed
// address text (ethers), as a go-livepeer gateway sends on-chain.
// Calls GetOrchestrator (no capabilities: the periodic poll) and Ping over TLS, and prints one JSON line with the
// answers, bytes as hex and int64s as decimal strings. Exits 1 with the gRPC status on a failed call.
import fs from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import grpc from "@grpc/grpc-js";
import protoLoader from "@grpc/proto-loader";
import { Wallet, getBytes, keccak256, toUtf8Bytes } from "ethers";

const [url, certPath, privateKey] = process.argv.slice(2);
const here = path.dirname(fileURLToPath(import.meta.url));
const definition = protoLoader.loadSync(path.join(here, "proto", "lp_rpc.proto"), {
  keepCase: true, longs: String, enums: String, bytes: Buffer, defaults: true, arrays: true, objects: true,
});
const net = grpc.loadPackageDefinition(definition).net;

// The orchestrator's certificate is self-signed: trust exactly it (from its data dir), whatever name it carries.
const credentials = grpc.credentials.createSsl(fs.readFileSync(certPath), null, null, { checkServerIdentity: () => undefined });
const client = new net.Orchestrator(new URL(url).host, credentials);

const call = (method, request) => new Promise((resolve, reject) =>
  client[method](request, { deadline: Date.now() + 10_000 }, (error, reply) => error ? reject(error) : resolve(reply)));

const hex = (value) => Buffer.isBuffer(value) ? value.toString("hex") : value;
const plain = (value) => JSON.parse(JSON.stringify(value, (key, v) =>
  v && v.type === "Buffer" && Array.isArray(v.data) ? Buffer.from(v.data).toString("hex") : v));

try {
  const request = {};
  if (privateKey) {
    const wallet = new Wallet(privateKey);
    request.address = Buffer.from(getBytes(wallet.address));
    request.sig = Buffer.from(getBytes(await wallet.signMessage(getBytes(keccak256(toUtf8Bytes(wallet.address))))));
  }
  const info = await call("GetOrchestrator", request);
  const pong = await call("Ping", { value: Buffer.from("ping") });
  console.log(JSON.stringify({ info: plain(info), pong: hex(pong.value) }));
} catch (error) {
  console.error(`gRPC call failed: code ${error.code} (${grpc.status[error.code]}): ${error.details}`);
  process.exit(1);
} finally {
  client.close();
}
