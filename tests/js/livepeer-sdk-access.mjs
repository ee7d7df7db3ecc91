// Drives a LivepeerAspire gateway with access control on through the unmodified @livepeer/ai SDK: each call names the
// bearer key the SDK is given and what to call, and one JSON line reports what came back (status, the gateway's
// {"detail":{"msg"}} as the SDK surfaces it). Usage: node livepeer-sdk-access.mjs GATEWAY_URL '[{"name","key","call"}]'
import { Livepeer } from "@livepeer/ai";

const [serverURL, callsJson] = process.argv.slice(2);
if (!serverURL || !callsJson) {
  console.error("usage: node livepeer-sdk-access.mjs GATEWAY_URL CALLS_JSON");
  process.exit(2);
}

const out = {};
for (const { name, key, call } of JSON.parse(callsJson)) {
  const livepeer = new Livepeer({ serverURL, httpBearer: key });
  try {
    if (call === "llm") {
      const r = await livepeer.generate.llm({ messages: [{ role: "user", content: "Say hello." }], maxTokens: 16 });
      out[name] = { ok: true, status: r.httpMeta?.response?.status ?? null, fee: r.httpMeta?.response?.headers?.get("livepeer-fee") ?? null, content: r.llmResponse?.choices?.[0]?.message?.content ?? null };
    } else {
      const r = await livepeer.generate.textToImage({ prompt: "a lighthouse at dusk", width: 64, height: 64 });
      out[name] = { ok: true, status: r.httpMeta?.response?.status ?? null, fee: r.httpMeta?.response?.headers?.get("livepeer-fee") ?? null, images: r.imageResponse?.images?.length ?? 0 };
    }
  } catch (e) {
    let msg = e?.data$?.detail?.msg ?? null;
    if (msg === null && typeof e?.body === "string") {
      try { msg = JSON.parse(e.body)?.detail?.msg ?? null; } catch { /* not JSON */ }
    }
    out[name] = {
      ok: false,
      errorType: e?.constructor?.name ?? typeof e,
      status: e?.statusCode ?? e?.rawResponse?.status ?? null,
      retryAfter: e?.rawResponse?.headers?.get?.("retry-after") ?? null,
      msg,
    };
  }
}
console.log(JSON.stringify(out));
