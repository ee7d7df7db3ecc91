// Drives a LivepeerAspire gateway's OpenAI-compatible routes with the official `openai` npm client and
// prints one JSON line of what came back. Usage: node openai-client.mjs http://127.0.0.1:PORT
import OpenAI from "openai";

const gateway = process.argv[2];
if (!gateway) {
  console.error("usage: node openai-client.mjs GATEWAY_URL");
  process.exit(2);
}

const client = new OpenAI({ baseURL: `${gateway}/v1`, apiKey: "unused-by-the-gateway", maxRetries: 0 });
const out = {};

const models = await client.models.list();
out.models = models.data.map((m) => m.id);
const model = out.models.find((id) => id.toLowerCase().includes("llama")) ?? out.models[0];

const completion = await client.chat.completions.create({
  model,
  messages: [{ role: "user", content: "Name three colours." }],
  max_tokens: 12,
});
out.completion = {
  object: completion.object,
  content: completion.choices[0]?.message?.content ?? null,
  finishReason: completion.choices[0]?.finish_reason ?? null,
  totalTokens: completion.usage?.total_tokens ?? null,
};

const stream = await client.chat.completions.create({
  model,
  messages: [{ role: "user", content: "Count to five." }],
  max_tokens: 12,
  stream: true,
});
const pieces = [];
let finishReason = null;
for await (const chunk of stream) {
  const choice = chunk.choices[0];
  if (choice?.delta?.content) pieces.push(choice.delta.content);
  if (choice?.finish_reason) finishReason = choice.finish_reason;
}
out.stream = { chunks: pieces.length, text: pieces.join(""), finishReason };

try {
  await client.chat.completions.create({ model: "no-such-model", messages: [{ role: "user", content: "hi" }], max_tokens: 4 });
  out.unknownModel = { ok: true };
} catch (e) {
  out.unknownModel = { ok: false, status: e.status ?? null, message: e.error?.message ?? e.message };
}

console.log(JSON.stringify(out));
