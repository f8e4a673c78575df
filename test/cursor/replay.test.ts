/**
 * Recorded Cursor ⇄ proxy ⇄ Azure traffic, replayed through llmux: every scenario of both copies
 * (2025 `original-c45c976`, 2026-edited `tests`). The recorded Cursor request is POSTed to llmux, whose
 * upstream (the mock) answers with the recorded Azure stream. Then:
 * - what llmux streams to Cursor must carry the same content as the recorded Cursor-facing stream;
 * - what llmux sent to Azure must equal the recorded upstream request, except for the differences
 *   listed (and justified) in docs/clients/cursor.md — each one is applied below by name, nothing else.
 * A new recording folder is a new test.
 */
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { pino } from "pino";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { configFromEnv } from "../../src/config/env-setup.js";
import { parseConfig } from "../../src/config/load.js";
import { Gateway } from "../../src/gateway/gateway.js";
import { type MockServer, startMockServer } from "../../src/mock/server.js";
import { parseSseText } from "../../src/sse/parser.js";
import { tempStorePath } from "../support/gateway.js";
import { SHARED } from "../support/upstream-fixtures.js";

const ROOT = join(SHARED, "fixtures/cursor-azure-gpt5");
const COPIES = [
  { name: "2025 (original-c45c976)", dir: join(ROOT, "original-c45c976/tests/recordings"), dated: true },
  { name: "2026 (tests)", dir: join(ROOT, "tests/recordings"), dated: false },
];

type Obj = Record<string, unknown>;

/** The replay settings the recordings were made with (fixture README). */
function envFor(scenario: string, dated: boolean, mockUrl: string): Record<string, string> {
  const env: Record<string, string> = {
    AZURE_BASE_URL: mockUrl,
    AZURE_API_KEY: "azure-key",
    SERVICE_API_KEY: "test-service-api-key",
    AZURE_DEPLOYMENT: scenario === "response_error" ? "gpt-5.1-codex" : "gpt-5",
    AZURE_SUMMARY_LEVEL: "detailed",
    LLMUX_STORE: tempStorePath(),
  };
  if (dated) env.AZURE_API_VERSION = "2025-04-01-preview";
  if (scenario === "verbosity_level") env.AZURE_VERBOSITY_LEVEL = "high";
  if (scenario === "response_error") env.AZURE_TRUNCATION = "auto";
  return env;
}

interface ChatResult {
  content: string;
  toolCalls: { id: string; name: string; arguments: string }[];
  finish: string[];
  usage?: unknown;
  done: boolean;
}

/** What a Chat stream says, independent of chunking, ids and timestamps. */
function readChat(sse: string): ChatResult {
  const out: ChatResult = { content: "", toolCalls: [], finish: [], done: false };
  for (const ev of parseSseText(sse)) {
    if (ev.data === "[DONE]") {
      out.done = true;
      continue;
    }
    const chunk = JSON.parse(ev.data) as Obj & { choices?: Obj[]; usage?: unknown };
    if (chunk.usage) out.usage = chunk.usage;
    for (const c of chunk.choices ?? []) {
      const delta = (c.delta ?? {}) as { content?: string | null; tool_calls?: Obj[] };
      out.content += delta.content ?? "";
      for (const t of delta.tool_calls ?? []) {
        const i = t.index as number;
        const fn = (t.function ?? {}) as { name?: string; arguments?: string };
        out.toolCalls[i] ??= { id: "", name: "", arguments: "" };
        if (t.id) out.toolCalls[i]!.id = t.id as string;
        if (fn.name) out.toolCalls[i]!.name = fn.name;
        out.toolCalls[i]!.arguments += fn.arguments ?? "";
      }
      if (c.finish_reason) out.finish.push(c.finish_reason as string);
    }
  }
  return out;
}

/** The documented differences between llmux's upstream request and the recorded one (docs/clients/cursor.md). */
const DIFFERENCES = {
  /** 1. Input messages carry an explicit `type: "message"` (valid, and unambiguous). */
  messageType: (items: Obj[]) => items.map(({ type, ...rest }) => (type === "message" ? rest : { type, ...rest })),
  /** 2. Replayed assistant text parts carry `annotations: []`. */
  annotations: (items: Obj[]) =>
    items.map((item) =>
      Array.isArray(item.content)
        ? {
            ...item,
            content: (item.content as Obj[]).map(({ annotations, ...p }) =>
              Array.isArray(annotations) && annotations.length === 0 ? p : { ...p, annotations },
            ),
          }
        : item,
    ),
};

function normaliseSent(sent: Obj): Obj {
  const out: Obj = { ...sent, input: DIFFERENCES.annotations(DIFFERENCES.messageType(sent.input as Obj[])) };
  delete out.include; // 3. include reasoning.encrypted_content: reasoning state carried statelessly
  delete out.user; // 4. Cursor's `user` is forwarded as well as used for prompt_cache_key
  return out;
}

function normaliseRecorded(recorded: Obj, scenario: string, head: boolean): Obj {
  const out: Obj = { ...recorded };
  out.input = (recorded.input as Obj[])
    // 10. status on replayed tool outputs: optional on input items, not sent
    .map(({ status, ...item }) =>
      item.type === "function_call_output" ? item : { ...item, ...(status !== undefined ? { status } : {}) },
    )
    // 11. an assistant turn whose only text is empty (Cursor's content: "" next to tool calls) is left out
    .filter(
      (item) => !(item.role === "assistant" && JSON.stringify(item.content) === '[{"type":"output_text","text":""}]'),
    );
  if (head) {
    out.store = false; // 5. store: false — llmux keeps conversation state itself, nothing is persisted at Azure
    delete out.parallel_tool_calls; // 6. parallel_tool_calls: not sent unless the client sent it (true is the default)
    if (out.prompt_cache_key === undefined) out.prompt_cache_key = "REDACTED"; // 7. Cursor's `user` → prompt_cache_key
  }
  if (Array.isArray(out.tools) && out.tools.length === 0) delete out.tools; // 8. no empty tools list (Cursor sent tools: null)
  if (scenario === "response_error") out.truncation = "disabled"; // 9. gpt-5.1-codex refuses truncation "auto": clamped
  return out;
}

let mock: MockServer;
beforeAll(async () => {
  mock = await startMockServer();
});
afterAll(async () => {
  await mock.close();
});

for (const copy of COPIES) {
  describe(`Cursor recordings, ${copy.name}`, () => {
    const scenarios = readdirSync(copy.dir).filter((d) => existsSync(join(copy.dir, d, "downstream_request.json")));

    it("has all 12 scenarios", () => {
      expect(scenarios).toHaveLength(12);
    });

    for (const scenario of scenarios) {
      it(scenario, async () => {
        const dir = join(copy.dir, scenario);
        const env = envFor(scenario, copy.dated, mock.url);
        const gateway = new Gateway(parseConfig(configFromEnv(env).raw, env), pino({ level: "silent" }));
        const { port } = await gateway.listen(0, "127.0.0.1");
        try {
          const upstreamSse = readFileSync(join(dir, "upstream_response.sse"), "utf8");
          mock.enqueue({ raw: upstreamSse });
          const res = await fetch(`http://127.0.0.1:${port}/chat/completions`, {
            method: "POST",
            headers: { "content-type": "application/json", authorization: "Bearer test-service-api-key" },
            body: readFileSync(join(dir, "downstream_request.json")),
          });
          expect(res.status).toBe(200);
          const got = readChat(await res.text());
          const want = readChat(readFileSync(join(dir, "downstream_response.sse"), "utf8"));

          // What Cursor sees.
          expect(got.done).toBe(true);
          expect(got.finish).toEqual(want.finish);
          expect(got.toolCalls).toEqual(want.toolCalls);
          if (scenario === "response_error") {
            // Both end the stream with a readable message carrying Azure's own error text (wording differs).
            const azure = /"message":"(An error occurred[^"]*)"/.exec(upstreamSse)![1]!;
            expect(want.content).toContain(azure);
            expect(got.content).toContain(azure);
          } else expect(got.content).toBe(want.content);
          if (want.usage) expect(got.usage).toEqual(want.usage);

          // What Azure received.
          const sent = mock.requests.at(-1)!;
          expect(sent.url).toBe(
            copy.dated ? "/openai/responses?api-version=2025-04-01-preview" : "/openai/v1/responses",
          );
          expect(sent.headers["api-key"]).toBe("azure-key");
          const recorded = JSON.parse(readFileSync(join(dir, "upstream_request.json"), "utf8")) as Obj;
          expect(normaliseSent(sent.body as Obj)).toEqual(normaliseRecorded(recorded, scenario, !copy.dated));
        } finally {
          await gateway.close();
        }
      });
    }
  });
}
