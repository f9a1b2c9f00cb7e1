// Drives the official OpenAI and Anthropic SDKs through a scrubgate gateway that
// runs on the echo upstream. proxy/npm_e2e_test.go starts the gateway, sets
// SCRUBGATE_URL and SCRUBGATE_E2E_SECRET, runs this script and checks the upstream
// side. Every answer must carry a handle where the secret was, and never the secret.
import OpenAI from "openai";
import Anthropic from "@anthropic-ai/sdk";

const base = process.env.SCRUBGATE_URL;
const secret = process.env.SCRUBGATE_E2E_SECRET;
if (!base || !secret) {
  console.error("set SCRUBGATE_URL and SCRUBGATE_E2E_SECRET");
  process.exit(2);
}
const handle = /\[\[scrub:[a-z0-9-]+:[0-9A-Z]{10}\]\]/;
let failed = 0;

function check(name, value, { wantHandle = true } = {}) {
  const text = typeof value === "string" ? value : JSON.stringify(value);
  if (text.includes(secret)) {
    failed++;
    console.log(`FAIL ${name}: the secret reached the client`);
  } else if (wantHandle && !handle.test(text)) {
    failed++;
    console.log(`FAIL ${name}: no handle in the answer (${text.length} bytes)`);
  } else {
    console.log(`ok   ${name}`);
  }
}

async function step(name, fn) {
  try {
    await fn();
  } catch (e) {
    failed++;
    const msg = String(e && e.message ? e.message : e).split(secret).join("<secret>");
    console.log(`FAIL ${name}: ${msg}`);
  }
}

const openai = new OpenAI({ baseURL: base + "/v1", apiKey: "sk-e2e-caller-key", maxRetries: 0 });
const prompt = `Deploy with my token ${secret} please.`;

await step("openai chat", async () => {
  const r = await openai.chat.completions.create({ model: "echo-1", messages: [{ role: "user", content: prompt }] });
  check("openai chat", r.choices[0].message.content);
});

await step("openai chat stream", async () => {
  const s = await openai.chat.completions.create({ model: "echo-1", stream: true, stream_options: { include_usage: true }, messages: [{ role: "user", content: prompt }] });
  let text = "";
  for await (const chunk of s) text += chunk.choices[0]?.delta?.content ?? "";
  check("openai chat stream", text);
});

await step("openai chat stream tools", async () => {
  const runner = openai.chat.completions.stream({
    model: "echo-1",
    messages: [{ role: "user", content: prompt }],
    tools: [{ type: "function", function: { name: "deploy", parameters: { type: "object", properties: { input: { type: "string" } } } } }],
  });
  const final = await runner.finalChatCompletion();
  const call = final.choices[0].message.tool_calls[0];
  const args = JSON.parse(call.function.arguments);
  if (call.function.name !== "deploy") throw new Error("tool name lost: " + call.function.name);
  check("openai chat stream tools", args.input);
});

await step("openai responses", async () => {
  const r = await openai.responses.create({ model: "echo-1", input: prompt });
  check("openai responses", r.output_text);
});

await step("openai responses stream", async () => {
  const s = await openai.responses.create({ model: "echo-1", input: [{ role: "user", content: [{ type: "input_text", text: prompt }] }], stream: true });
  let deltas = "", done = "";
  for await (const ev of s) {
    if (ev.type === "response.output_text.delta") deltas += ev.delta;
    if (ev.type === "response.output_text.done") done = ev.text;
  }
  if (deltas !== done) throw new Error("streamed deltas and the done event disagree");
  check("openai responses stream", deltas);
});

await step("openai embeddings", async () => {
  const r = await openai.embeddings.create({ model: "text-embedding-3-small", input: [prompt, "two"] });
  if (r.data.length !== 2) throw new Error("want 2 embeddings");
  check("openai embeddings", r, { wantHandle: false });
});

await step("openai models", async () => {
  const page = await openai.models.list();
  if (!page.data.length) throw new Error("no models");
  check("openai models", page.data, { wantHandle: false });
});

const anthropic = new Anthropic({ baseURL: base, apiKey: "sk-ant-e2e-caller-key", maxRetries: 0 });

await step("anthropic messages", async () => {
  const r = await anthropic.messages.create({ model: "claude-echo", max_tokens: 256, messages: [{ role: "user", content: prompt }] });
  check("anthropic messages", r.content[0].text);
});

await step("anthropic messages stream", async () => {
  const s = anthropic.messages.stream({ model: "claude-echo", max_tokens: 256, messages: [{ role: "user", content: prompt }] });
  const text = await s.finalText();
  check("anthropic messages stream", text);
});

await step("anthropic stream tools", async () => {
  const s = anthropic.messages.stream({
    model: "claude-echo", max_tokens: 256, messages: [{ role: "user", content: prompt }],
    tools: [{ name: "deploy", description: "deploy", input_schema: { type: "object", properties: { input: { type: "string" } } } }],
  });
  const msg = await s.finalMessage();
  const use = msg.content.find((b) => b.type === "tool_use");
  if (!use) throw new Error("no tool_use block");
  check("anthropic stream tools", use.input.input);
});

await step("anthropic count_tokens", async () => {
  const r = await anthropic.messages.countTokens({ model: "claude-echo", messages: [{ role: "user", content: prompt }] });
  if (!(r.input_tokens > 0)) throw new Error("no token count");
  console.log("ok   anthropic count_tokens");
});

if (failed) {
  console.log(`${failed} check(s) failed`);
  process.exit(1);
}
console.log("all SDK checks passed");
