// Compiles contracts/*.sol with the pinned solc into compiled/<Contract>.json ({ abi, bytecode }).
// `node build.mjs --check` compiles in memory and fails if the checked-in files differ (the rebuild test runs it).
import { readFileSync, readdirSync, writeFileSync, mkdirSync, existsSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import solc from "solc";

const root = dirname(fileURLToPath(import.meta.url));
const check = process.argv.includes("--check");
const sources = Object.fromEntries(
  readdirSync(join(root, "contracts"))
    .filter((f) => f.endsWith(".sol"))
    .sort()
    .map((f) => [f, { content: readFileSync(join(root, "contracts", f), "utf8") }]),
);

const input = {
  language: "Solidity",
  sources,
  settings: {
    // ganache 7.9.2 runs up to shanghai; solc's default (osaka) emits MCOPY, which ganache rejects.
    evmVersion: "shanghai",
    optimizer: { enabled: true, runs: 200 },
    outputSelection: { "*": { "*": ["abi", "evm.bytecode.object"] } },
  },
};

const output = JSON.parse(solc.compile(JSON.stringify(input)));
const errors = (output.errors ?? []).filter((e) => e.severity === "error");
for (const e of output.errors ?? []) console.error(e.formattedMessage);
if (errors.length > 0) process.exit(1);

const outDir = join(root, "compiled");
mkdirSync(outDir, { recursive: true });
let stale = [];
for (const [file, contracts] of Object.entries(output.contracts)) {
  for (const [name, c] of Object.entries(contracts)) {
    const text = JSON.stringify({ contract: name, source: `contracts/${file}`, compiler: solc.version(), abi: c.abi, bytecode: "0x" + c.evm.bytecode.object }, null, 2) + "\n";
    const path = join(outDir, `${name}.json`);
    if (check) {
      if (!existsSync(path) || readFileSync(path, "utf8") !== text) stale.push(path);
    } else {
      writeFileSync(path, text);
      console.log(`wrote ${path} (${c.evm.bytecode.object.length / 2} bytes of bytecode)`);
    }
  }
}
if (stale.length > 0) {
  console.error(`out of date (run \`npm run build\` in chain/): ${stale.join(", ")}`);
  process.exit(1);
}
if (check) console.log("compiled/ matches contracts/");
