/**
 * Cursor's 2026 request shapes (../shared/fixtures/cursor-2026): every body is accepted on the Chat route and
 * answered with a well-formed Chat stream — judged by the openai SDK's stream helper — through each kind of
 * upstream: Azure Responses (read as Responses, near passthrough), Anthropic and OpenAI-compatible.
 */
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import OpenAI from "openai";
import { ChatCompletionStream } from "openai/lib/ChatCompletionStream";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type Body, type Harness, startHarness } from "../../support/gateway.js";
import { SHARED } from "../../support/upstream-fixtures.js";

const DIR = join(SHARED, "fixtures/cursor-2026");
const FILES = readdirSync(DIR).filter((f) => f.endsWith(".json"));

let h: Harness;
beforeAll(async () => {
  h = await startHarness();
});
afterAll(async () => {
  await h.close();
});

/** The body as Cursor sent it; the one fragment (a single tools[] element) is wrapped into a minimal request. */
function body(file: string, model: string): Body {
  const b = (JSON.parse(readFileSync(join(DIR, file), "utf8")) as { body: Body }).body;
  const full = b.model === undefined ? { ...b, input: [{ role: "user", content: "use ApplyPatch" }] } : { ...b };
  return { ...full, model, stream: true };
}

/**
 * Posts a body as is (the SDK's create() sends any body; its stream helper, which needs `messages`, cannot)
 * and reads the answer with the SDK's own SSE parser and Chat stream accumulator.
 */
async function streamChat(sent: Body) {
  const client = new OpenAI({ apiKey: "k", baseURL: h.url, maxRetries: 0 });
  const stream = await client.chat.completions.create(sent as never);
  return ChatCompletionStream.fromReadableStream(
    (stream as unknown as { toReadableStream(): ReadableStream }).toReadableStream(),
  ).finalChatCompletion();
}

/**
 * Bodies that identify Cursor (metadata.cursor*, a Responses body on the Chat route, an ApplyPatch tool).
 * The Ask-mode literal carries none, which is why the docs recommend the base URL https://host/cursor.
 */
const MARKED = new Set(
  FILES.filter((f) => f !== "cursor-azure-gpt5__codex-chat-body-tool-history-toolchoice-object__request.json"),
);

const UPSTREAMS = [
  { alias: "via-azure-responses", path: "/openai/v1/responses" },
  { alias: "via-anthropic", path: "/v1/messages" },
  { alias: "via-compat", path: "/compat/v1/chat/completions" },
] as const;

describe.each(FILES)("%s", (file) => {
  for (const up of UPSTREAMS) {
    it(`streams Chat chunks back through ${up.alias}`, async () => {
      h.mock.enqueue({
        blocks: [
          { type: "reasoning", text: "Reading the request.", summary: ["Reading the request."] },
          { type: "text", text: "Done." },
        ],
      });
      const sent = body(file, up.alias);
      const done = await streamChat(sent);
      const content = done.choices[0]!.message.content ?? "";
      if (MARKED.has(file)) expect(content).toMatch(/^<think>\n\nReading the request\.\n\n<\/think>\n\nDone\.$/);
      // Without any Cursor marker the body is served as a generic Chat client's: reasoning in its own field.
      else expect(content).toBe("Done.");
      expect(done.choices[0]!.finish_reason).toBe("stop");

      const upstream = h.mock.requests.at(-1)!;
      expect(upstream.path).toBe(up.path);
      const b = upstream.body as Body;
      expect(b.messages === null).toBe(false);
      const text = JSON.stringify(b);
      expect(text).not.toContain("cursorConversationId");
      if (up.alias === "via-azure-responses") {
        // Responses upstream: no Chat-only leftovers, tools flat, stream options Responses-valid.
        expect(b.stream_options).toEqual({ include_obfuscation: false });
        for (const t of (b.tools as Body[] | undefined) ?? []) expect(t.function ?? t.custom).toBeUndefined();
      }
      const original = JSON.stringify(sent);
      if (original.includes("ApplyPatch")) expect(text).toContain("ApplyPatch");
    });
  }
});

describe("the real 2026 Agent-mode capture", () => {
  const file = "clyde__agent-gpt54-responses-body-on-chat-completions__request.json";

  it("keeps its system input item, effort, cache retention and conversation id as the cache key on Azure", async () => {
    h.mock.enqueue({ blocks: [{ type: "text", text: "ok" }] });
    await streamChat(body(file, "via-azure-responses"));
    const b = h.mock.requests.at(-1)!.body as Body;
    expect(b.input[0]).toMatchObject({ role: "system" });
    expect(b.reasoning).toEqual({ effort: "medium", summary: "auto" });
    expect(b.prompt_cache_retention).toBe("24h");
    expect(b.prompt_cache_key).toBe("c9318f8e-3eb7-4bf3-b50e-f65215d398b0");
    expect(b.include).toEqual(["reasoning.encrypted_content"]);
    expect(b.store).toBe(false);
    const patch = (b.tools as Body[]).find((t) => t.name === "ApplyPatch")!;
    expect(patch).toMatchObject({ type: "custom", format: { type: "grammar", syntax: "lark" } });
    expect((b.tools as Body[]).filter((t) => t.type === "function").every((t) => t.strict === false)).toBe(true);
  });

  it("becomes a Claude request with the system prompt lifted and ApplyPatch as a one-string function", async () => {
    h.mock.enqueue({ blocks: [{ type: "text", text: "ok" }] });
    await streamChat(body(file, "via-anthropic"));
    const b = h.mock.requests.at(-1)!.body as Body;
    expect(typeof b.system === "string" ? b.system : JSON.stringify(b.system)).toContain("You are GPT-5.4");
    expect((b.messages as Body[]).every((m) => m.role === "user" || m.role === "assistant")).toBe(true);
    const patch = (b.tools as Body[]).find((t) => t.name === "ApplyPatch")!;
    expect(patch.input_schema).toEqual({
      type: "object",
      properties: { input: { type: "string", description: "The raw input for this tool." } },
      required: ["input"],
    });
  });
});
