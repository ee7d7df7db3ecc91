// Drives a LivepeerAspire gateway with the unmodified @livepeer/ai SDK and prints one JSON line of what
// came back, for tests/Network.Tests to check. Usage: node livepeer-sdk-client.mjs http://127.0.0.1:PORT
import { Livepeer } from "@livepeer/ai";
import * as errors from "@livepeer/ai/models/errors/index.js";
import { makePng } from "./png.mjs";

const serverURL = process.argv[2];
if (!serverURL) {
  console.error("usage: node livepeer-sdk-client.mjs GATEWAY_URL");
  process.exit(2);
}

const livepeer = new Livepeer({ serverURL, httpBearer: "" });
const out = {};

async function attempt(name, fn) {
  try {
    out[name] = { ok: true, ...(await fn()) };
  } catch (e) {
    out[name] = {
      ok: false,
      errorType: e?.constructor?.name ?? typeof e,
      statusCode: e?.statusCode ?? e?.rawResponse?.status ?? null,
      message: String(e?.data$?.detail?.msg ?? e?.message ?? e),
    };
  }
}

await attempt("textToImage", async () => {
  const r = await livepeer.generate.textToImage({ prompt: "a lighthouse at dusk", width: 64, height: 64 });
  const images = r.imageResponse?.images ?? [];
  return { count: images.length, url: images[0]?.url?.slice(0, 40) ?? null, seed: images[0]?.seed ?? null };
});

await attempt("llm", async () => {
  const r = await livepeer.generate.llm({
    messages: [{ role: "user", content: "Say hello in three words." }],
    maxTokens: 16,
  });
  const choice = r.llmResponse?.choices?.[0];
  return {
    content: choice?.message?.content ?? null,
    finishReason: choice?.finishReason ?? null,
    totalTokens: r.llmResponse?.usage?.totalTokens ?? null,
  };
});

await attempt("imageToVideo", async () => {
  const image = new Blob([makePng(64, 64)], { type: "image/png" });
  const r = await livepeer.generate.imageToVideo({ image, width: 64, height: 64, numInferenceSteps: 2 });
  const frames = r.videoResponse?.images ?? [];
  return { count: frames.length, url: frames[0]?.url?.slice(0, 40) ?? null };
});

await attempt("badLlm", async () => {
  await livepeer.generate.llm({ messages: [], maxTokens: 16 });
  return {};
});

out.httpErrorTypeName = errors.HTTPError.name;
console.log(JSON.stringify(out));
