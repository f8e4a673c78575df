/**
 * Replaying a recorded Cursor ⇄ Azure exchange through llmux (a fixture folder: downstream_request.json,
 * downstream_response.sse, upstream_request.json, upstream_response.sse): the recorded Cursor request is
 * POSTed to llmux, whose upstream (the mock) answers with the recorded Azure stream; what llmux streams back
 * must carry the content of the recorded Cursor-facing stream, and what it sent upstream must equal the
 * recorded upstream request (for the shared recordings, made through another proxy, up to the differences
 * listed in docs/clients/cursor.md, each applied by name).
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { pino } from "pino";
import { expect } from "vitest";
import { configFromEnv } from "../../src/config/env-setup.js";
import { parseConfig } from "../../src/config/load.js";
import type { MockServer } from "../../src/mock/server.js";
import { Gateway } from "../../src/server/gateway.js";
import { parseSseText } from "../../src/sse/parser.js";
import { tempStorePath } from "./gateway.js";

type Obj = Record<string, unknown>;

/** The replay settings the recordings were made with (fixture README). */
export function envFor(scenario: string, dated: boolean, mockUrl: string): Record<string, string> {
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

export interface CursorReplay {
  /** The recording's folder; its name (the scenario) chooses the replay settings. */
  dir: string;
  scenario: string;
  /** Recorded against a dated api-version (the 2025 copy). */
  dated: boolean;
  mock: MockServer;
  /**
   * The upstream request was recorded through another proxy: compare up to the documented differences.
   * False for a recording llmux made itself: its upstream request must come out exactly the same.
   */
  otherProxy: boolean;
  /** More configuration for the gateway (e.g. logging.record, to record the replay itself). */
  more?: Record<string, unknown>;
}

/** Replays one recording through a fresh llmux and checks it (see the top of this file). */
export async function replayCursor(c: CursorReplay): Promise<void> {
  const { dir, scenario, mock } = c;
  const env = envFor(scenario, c.dated, mock.url);
  const raw = configFromEnv(env).raw as Record<string, unknown>;
  const gateway = new Gateway(parseConfig({ ...raw, ...c.more }, env), pino({ level: "silent" }));
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
    expect(sent.url).toBe(c.dated ? "/openai/responses?api-version=2025-04-01-preview" : "/openai/v1/responses");
    expect(sent.headers["api-key"]).toBe("azure-key");
    const recorded = JSON.parse(readFileSync(join(dir, "upstream_request.json"), "utf8")) as Obj;
    if (c.otherProxy) expect(normaliseSent(sent.body as Obj)).toEqual(normaliseRecorded(recorded, scenario, !c.dated));
    else expect(sent.body).toEqual(recorded);
  } finally {
    await gateway.close();
  }
}
