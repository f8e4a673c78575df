/**
 * Session and agent ids on the request-log and ledger rows, on SQLite and PostgreSQL: the recorded requests
 * of Claude Code (its main loop and a sub-agent), Codex, OpenCode and Cursor replayed through the gateway
 * with the headers the programs sent, and a Gemini request with llmux's own header. Each row names the session
 * the recording names, the agent and its parent, and the tool.
 */
import { randomBytes } from "node:crypto";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Data } from "../../src/data/data.js";
import { ENGINES, type TestLocation } from "../support/engines.js";
import { type Harness, startHarness } from "../support/gateway.js";
import { ADMIN, call, MASTER } from "../support/team.js";

const SHARED = join(import.meta.dirname, "../../../shared/fixtures");
// biome-ignore lint/suspicious/noExplicitAny: recorded wire bodies, read freely
type Rec = { url: string; headers: Record<string, string>; body: any };
const load = (path: string): Rec => JSON.parse(readFileSync(join(SHARED, path), "utf8")) as Rec;

/** The recorded headers a client sends, with this test's key instead of the recorded one. */
function headersOf(rec: Rec, key: string, more: Record<string, string> = {}): Record<string, string> {
  const drop = new Set(["host", "content-length", "connection", "accept-encoding", "authorization", "x-api-key"]);
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(rec.headers)) if (!drop.has(k)) out[k] = v;
  return { ...out, ...more, authorization: `Bearer ${key}`, "content-type": "application/json" };
}

async function send(h: Harness, path: string, headers: Record<string, string>, body: unknown): Promise<string> {
  const res = await fetch(`${h.url}${path}`, { method: "POST", headers, body: JSON.stringify(body) });
  await res.text();
  expect(res.status, path).toBe(200);
  return res.headers.get("x-request-id")!;
}

describe.each(ENGINES)("session ids on the rows on $engine", ({ fresh }) => {
  let where: TestLocation;
  let h: Harness;
  let data: Data;
  beforeAll(async () => {
    where = await fresh();
    h = await startHarness(() => ({
      store: where.url ? { url: where.url } : { path: where.path },
      admin: { keys: [ADMIN] },
      secrets: { master_key: MASTER },
    }));
    data = new Data({ path: where.path, url: where.url });
  }, 30_000);
  afterAll(async () => {
    await h.close();
    await data.close();
    await where.drop();
  });

  it("names the recorded session, agent and tool on both rows of every request", async () => {
    const minted = await call(h.url, "POST", "/admin/v1/keys", ADMIN, { name: `k-${randomBytes(3).toString("hex")}` });
    const key = minted.body.key as string;
    const claude = load("real-clients/claude-sonnet45-toolroundtrip-05-POST__v1_messages_stream_tools.json");
    const codex = load("real-clients/codex-responses-10-POST__v1_responses_stream_tools.json");
    const opencode = load("real-clients/opencode-chat-21-POST__v1_chat_completions_stream_tools.json");
    const cursor = load("cursor-2026/clyde__agent-gpt54-responses-body-on-chat-completions__request.json");
    const claudeSession = claude.headers["x-claude-code-session-id"]!;
    const want: Record<string, { session: string | null; agent: string | null; parent: string | null; tool: string }> =
      {};
    const expectRow = (id: string, session: string, agent: string | null, parent: string | null, tool: string) => {
      want[id] = { session, agent, parent, tool };
    };

    expectRow(
      await send(h, "/v1/messages", headersOf(claude, key), { ...claude.body, model: "via-anthropic" }),
      claudeSession,
      null,
      null,
      "claude-code",
    );
    const sub = { "x-claude-code-agent-id": "agent_sub1", "x-claude-code-parent-agent-id": "agent_main" };
    expectRow(
      await send(h, "/v1/messages", headersOf(claude, key, sub), { ...claude.body, model: "via-anthropic" }),
      claudeSession,
      "agent_sub1",
      "agent_main",
      "claude-code",
    );
    // Codex's Responses request translated to an Anthropic upstream.
    expectRow(
      await send(h, "/v1/responses", headersOf(codex, key), { ...codex.body, model: "via-anthropic" }),
      codex.headers["session-id"]!,
      null,
      null,
      "codex",
    );
    expectRow(
      await send(h, "/v1/chat/completions", headersOf(opencode, key), { ...opencode.body, model: "via-openai-chat" }),
      opencode.headers["x-session-id"]!,
      null,
      null,
      "opencode",
    );
    expectRow(
      await send(
        h,
        "/v1/chat/completions",
        { authorization: `Bearer ${key}`, "content-type": "application/json" },
        {
          ...cursor.body,
          model: "via-anthropic",
        },
      ),
      cursor.body.metadata.cursorConversationId,
      null,
      null,
      "cursor",
    );
    const gemini = {
      authorization: `Bearer ${key}`,
      "content-type": "application/json",
      "user-agent": "GeminiCLI/0.61.0/gemini-2.5-pro (linux; x64; terminal)",
      "llmux-session": "gemini-session-1",
    };
    expectRow(
      await send(h, "/v1beta/models/via-gemini:generateContent", gemini, {
        contents: [{ role: "user", parts: [{ text: "hi" }] }],
      }),
      "gemini-session-1",
      null,
      null,
      "gemini-cli",
    );

    const ids = Object.keys(want);
    const db = await data.db();
    const read = async () => {
      const log = await db
        .selectFrom("request_log")
        .select(["id", "session_id", "agent_id", "parent_agent_id", "client_tool"])
        .where("id", "in", ids)
        .execute();
      const ledger = await db
        .selectFrom("ledger")
        .select(["id", "session_id", "agent_id", "parent_agent_id", "tool"])
        .where("id", "in", ids)
        .execute();
      return log.length === ids.length && ledger.length === ids.length ? { log, ledger } : undefined;
    };
    let rows = await read();
    for (let i = 0; !rows && i < 200; i++) {
      await new Promise((r) => setTimeout(r, 50));
      rows = await read();
    }
    expect(rows).toBeDefined();
    for (const r of rows!.log)
      expect({ session: r.session_id, agent: r.agent_id, parent: r.parent_agent_id, tool: r.client_tool }).toEqual(
        want[r.id],
      );
    for (const r of rows!.ledger)
      expect({ session: r.session_id, agent: r.agent_id, parent: r.parent_agent_id, tool: r.tool }).toEqual(want[r.id]);
  });
});
