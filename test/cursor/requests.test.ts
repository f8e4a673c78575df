/**
 * What the `cursor` provider sends Cursor, seen by the fake backend: images inline (at most 1 MB each, a
 * clear 400 above), the client's system prompt (prepended, or replacing Cursor's), a history the helper does
 * not hold as a transcript, parallel tool calls answered together; and what it does not let Cursor's backend do:
 * run commands or touch files on the gateway's machine.
 */
import { randomUUID } from "node:crypto";
import { existsSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import Anthropic from "@anthropic-ai/sdk";
import OpenAI from "openai";
import { afterAll, beforeAll, expect, it } from "vitest";
import { CURSOR_INSTALL_TIMEOUT_MS, type CursorFake, startCursorFake } from "../support/cursor.js";
import { type Harness, startHarness } from "../support/gateway.js";

let fake: CursorFake;
let h: Harness;
beforeAll(async () => {
  fake = await startCursorFake();
  const cursor = { type: "cursor", base_url: fake.url, api_key: "key-r", runtime_dir: ".cache/cursor-runtime" };
  h = await startHarness(() => ({
    providers: { composer: cursor, replacing: { ...cursor, system_prompt: "replace" } },
    models: {
      "composer-2.5": { provider: "composer" },
      "composer-own-prompt": { provider: "replacing", model: "composer-2.5" },
    },
  }));
}, CURSOR_INSTALL_TIMEOUT_MS);
afterAll(async () => {
  await h?.close();
  fake?.close();
});

const anthropic = () => new Anthropic({ apiKey: "k", baseURL: h.url, maxRetries: 0 });
const openai = () => new OpenAI({ apiKey: "k", baseURL: `${h.url}/v1`, maxRetries: 0 });
const lastRun = async (tag: string) => {
  const runs = (await fake.log()).filter((e) => e.run && String(e.run.text).includes(tag));
  expect(runs.length).toBeGreaterThan(0);
  return runs.at(-1)!.run;
};

/** A PNG of `bytes` bytes (its signature, then zeros: the fake only counts). */
const png = (bytes: number) => {
  const b = Buffer.alloc(bytes);
  Buffer.from([137, 80, 78, 71, 13, 10, 26, 10]).copy(b);
  return b.toString("base64");
};

it("sends images inline, up to 1 MB each", async () => {
  const tag = randomUUID();
  const r = await anthropic().messages.create({
    model: "composer-2.5",
    max_tokens: 100,
    messages: [
      {
        role: "user",
        content: [
          { type: "image", source: { type: "base64", media_type: "image/png", data: png(1024 * 1024) } },
          { type: "text", text: `What is this? ${tag}` },
        ],
      },
    ],
  });
  expect(r.content.find((b) => b.type === "text")).toMatchObject({ text: `Composer heard: What is this? ${tag}` });
  expect((await lastRun(tag)).images).toEqual([{ mimeType: "image/png", bytes: 1024 * 1024 }]);

  const big = await openai()
    .chat.completions.create({
      model: "composer-2.5",
      messages: [
        {
          role: "user",
          content: [
            { type: "text", text: "and this?" },
            { type: "image_url", image_url: { url: `data:image/png;base64,${png(1024 * 1024 + 1)}` } },
          ],
        },
      ],
    })
    .catch((e: { status: number; message: string }) => e);
  expect(big).toMatchObject({ status: 400 });
  expect((big as { message: string }).message).toMatch(/at most 1 MB each/);
});

it("prepends the client's system prompt, or replaces Cursor's with it", async () => {
  const tag = randomUUID();
  await anthropic().messages.create({
    model: "composer-2.5",
    max_tokens: 100,
    system: "Answer in French.",
    messages: [{ role: "user", content: `Hello ${tag}` }],
  });
  expect((await lastRun(tag)).text).toBe(
    `<system_instructions>\nAnswer in French.\n</system_instructions>\n\nHello ${tag}`,
  );

  const own = randomUUID();
  await openai().chat.completions.create({
    model: "composer-own-prompt",
    messages: [
      { role: "system", content: "You are terse." },
      { role: "user", content: `Hello ${own}` },
    ],
  });
  const run = await lastRun(own);
  expect(run.text).toBe(`Hello ${own}`);
  expect(run.systemPrompt).toBe("You are terse.");
});

it("starts a conversation it does not hold from its history, as a transcript", async () => {
  const tag = randomUUID();
  const r = await openai().chat.completions.create({
    model: "composer-2.5",
    messages: [
      { role: "user", content: "What is 2 + 2?" },
      { role: "assistant", content: "4." },
      { role: "user", content: `And times 3? ${tag}` },
    ],
  });
  expect(r.choices[0]!.message.content).toBe(`Composer heard: And times 3? ${tag}`);
  expect((await lastRun(tag)).text).toBe(
    `<conversation_so_far>\nUser: What is 2 + 2?\n\nAssistant: 4.\n</conversation_so_far>\n\nAnd times 3? ${tag}`,
  );
});

it("returns parallel tool calls together and resumes the run with both results", async () => {
  const tag = randomUUID();
  const client = anthropic();
  const tools = [
    {
      name: "get_weather",
      description: "Weather",
      input_schema: { type: "object" as const, properties: { city: { type: "string" } } },
    },
    {
      name: "get_time",
      description: "Time",
      input_schema: { type: "object" as const, properties: { zone: { type: "string" } } },
    },
  ];
  const messages: Anthropic.MessageParam[] = [{ role: "user", content: `Weather and time? [tools2] ${tag}` }];
  const first = await client.messages
    .stream({ model: "composer-2.5", max_tokens: 100, tools, messages })
    .finalMessage();
  const calls = first.content.filter((b) => b.type === "tool_use");
  expect(calls.map((c) => [c.name, c.input])).toEqual([
    ["get_weather", { city: "Paris" }],
    ["get_time", { zone: "x" }],
  ]);
  expect(first.stop_reason).toBe("tool_use");
  messages.push({ role: "assistant", content: first.content });
  messages.push({
    role: "user",
    content: calls.map((c, i) => ({ type: "tool_result" as const, tool_use_id: c.id, content: ["sunny", "noon"][i]! })),
  });
  const second = await client.messages
    .stream({ model: "composer-2.5", max_tokens: 100, tools, messages })
    .finalMessage();
  expect(second.content.find((b) => b.type === "text")).toMatchObject({ text: "The tool said: sunny | noon" });
  const runs = (await fake.log()).filter((e) => e.run && String(e.run.text).includes(tag));
  expect(runs).toHaveLength(1);
});

it("lets Cursor's backend neither run commands nor touch files on the gateway's machine", async () => {
  const target = join(tmpdir(), `llmux-cursor-disk-${randomUUID()}`);
  const r = await openai().chat.completions.create({
    model: "composer-2.5",
    messages: [{ role: "user", content: `[disk] ${target}` }],
  });
  // The shell command could not start, the write and the read were refused.
  expect(r.choices[0]!.message.content).toBe("disk: 1:spawnError 2:permissionDenied 3:permissionDenied");
  expect(existsSync(`${target}.shell`)).toBe(false);
  expect(existsSync(`${target}.write`)).toBe(false);
});

it("continues a conversation only within the client's session", async () => {
  const tag = randomUUID();
  const ask = (session: string, messages: OpenAI.Chat.ChatCompletionMessageParam[]) =>
    openai().chat.completions.create(
      { model: "composer-2.5", messages },
      { headers: { "x-session-affinity": session } },
    );
  const first = await ask("session-a", [{ role: "user", content: `Hi ${tag}` }]);
  const history: OpenAI.Chat.ChatCompletionMessageParam[] = [
    { role: "user", content: `Hi ${tag}` },
    { role: "assistant", content: first.choices[0]!.message.content },
  ];
  // The same history in another session is another conversation: it starts from a transcript.
  await ask("session-b", [...history, { role: "user", content: `From b ${tag}` }]);
  await ask("session-a", [...history, { role: "user", content: `From a ${tag}` }]);
  expect((await lastRun(`From b ${tag}`)).text).toContain("<conversation_so_far>");
  expect((await lastRun(`From a ${tag}`)).text).toBe(`From a ${tag}`);
});
