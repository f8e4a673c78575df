/**
 * Which session and agent a request belongs to (src/clients/session.ts), from the recorded requests of the
 * real programs (the shared fixtures): each names its session in more than one place (Claude Code in a header
 * and in metadata.user_id, Codex in headers, client_metadata and prompt_cache_key, OpenCode in two headers),
 * and those places are the oracle for each other.
 */
import { readdirSync, readFileSync } from "node:fs";
import type { IncomingHttpHeaders } from "node:http";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { sessionOf } from "../../src/clients/session.js";
import type { Json } from "../../src/ir/types.js";

const SHARED = join(import.meta.dirname, "../../../shared/fixtures");

interface Recorded {
  file: string;
  headers: IncomingHttpHeaders;
  // biome-ignore lint/suspicious/noExplicitAny: recorded wire bodies, read freely
  body: any;
}

function recorded(): Recorded[] {
  const dir = join(SHARED, "real-clients");
  return readdirSync(dir)
    .filter((f) => f.endsWith(".json"))
    .map((file) => ({ file, ...(JSON.parse(readFileSync(join(dir, file), "utf8")) as Omit<Recorded, "file">) }))
    .filter((r) => r.headers !== undefined);
}

/** Drops what the body says, to see what the headers alone say. */
const headersOnly = (r: Recorded) => sessionOf(r.headers);

describe("sessionOf on recorded real clients", () => {
  const rows = recorded();

  it("Claude Code: the session header, the same as metadata.user_id's session_id; no agent for the main loop", () => {
    const claude = rows.filter((r) => r.file.startsWith("claude"));
    expect(claude.length).toBeGreaterThanOrEqual(6);
    for (const r of claude) {
      const inMeta = JSON.parse(r.body.metadata.user_id).session_id;
      expect(headersOnly(r), r.file).toEqual({ session: inMeta });
      // Without the header (a proxy that strips it), the body says the same.
      const { "x-claude-code-session-id": _, ...rest } = r.headers;
      expect(sessionOf(rest, r.body).session, r.file).toBe(inMeta);
    }
    // Two requests of one recorded tool round trip are one session.
    const trip = claude.filter((r) => r.file.startsWith("claude-sonnet45-toolroundtrip"));
    expect(new Set(trip.map((r) => headersOnly(r).session)).size).toBe(1);
  });

  it("Claude Code sub-agent: its agent id and its parent's (the headers the program sends for a sub-agent)", () => {
    const main = rows.find((r) => r.file.startsWith("claude-07"))!;
    const sub = {
      ...main.headers,
      "x-claude-code-agent-id": "agent_a1b2c3",
      "x-claude-code-parent-agent-id": "agent_root9",
    };
    expect(sessionOf(sub, main.body)).toEqual({
      session: main.headers["x-claude-code-session-id"],
      agent: "agent_a1b2c3",
      parentAgent: "agent_root9",
    });
  });

  it("Codex: session-id, the same as client_metadata.session_id and prompt_cache_key; its main thread is no agent", () => {
    const codex = rows.filter((r) => r.file.startsWith("codex"));
    expect(codex.length).toBeGreaterThanOrEqual(3);
    for (const r of codex) {
      expect(headersOnly(r), r.file).toEqual({ session: r.body.client_metadata.session_id });
      expect(r.body.prompt_cache_key).toBe(r.body.client_metadata.session_id);
      const bare: IncomingHttpHeaders = { "user-agent": String(r.headers["user-agent"]) };
      expect(sessionOf(bare, r.body).session, r.file).toBe(r.body.client_metadata.session_id);
    }
  });

  it("Codex sub-agent: a thread of its own under its parent thread", () => {
    const r = rows.find((x) => x.file.startsWith("codex-responses-10"))!;
    const session = String(r.headers["session-id"]);
    const sub = { ...r.headers, "thread-id": "019a-child-thread", "x-codex-parent-thread-id": session };
    expect(sessionOf(sub, r.body)).toEqual({ session, agent: "019a-child-thread", parentAgent: session });
  });

  it("OpenCode: x-session-id, the same as x-session-affinity (and the Responses prompt_cache_key)", () => {
    const oc = rows.filter((r) => r.file.startsWith("opencode"));
    expect(oc.length).toBeGreaterThanOrEqual(6);
    for (const r of oc) {
      expect(headersOnly(r), r.file).toEqual({ session: r.headers["x-session-id"] });
      expect(r.headers["x-session-affinity"]).toBe(r.headers["x-session-id"]);
      if (r.body.prompt_cache_key) expect(r.body.prompt_cache_key).toBe(r.headers["x-session-id"]);
    }
  });

  it("Cursor: the conversation id in the body's metadata (a real Cursor body)", () => {
    const file = join(SHARED, "cursor-2026/clyde__agent-gpt54-responses-body-on-chat-completions__request.json");
    const body = JSON.parse(readFileSync(file, "utf8")).body as { metadata: { cursorConversationId: string } };
    expect(body.metadata.cursorConversationId).toMatch(/^[0-9a-f-]{36}$/);
    expect(sessionOf({ "user-agent": "node" }, body as unknown as Json)).toEqual({
      session: body.metadata.cursorConversationId,
    });
  });

  it("llmux's own headers when the tool names nothing (Gemini CLI); a tool's own header wins over them", () => {
    const gemini = { "user-agent": "GeminiCLI/0.61.0/gemini-2.5-pro (linux; x64; terminal)" };
    expect(sessionOf(gemini, { contents: [] })).toEqual({});
    expect(
      sessionOf({ ...gemini, "llmux-session": "s-42", "llmux-agent": "a-2", "llmux-parent-agent": "a-1" }, {}),
    ).toEqual({ session: "s-42", agent: "a-2", parentAgent: "a-1" });
    const claude = rows.find((r) => r.file.startsWith("claude-07"))!;
    expect(sessionOf({ ...claude.headers, "llmux-session": "mine" }).session).toBe(
      claude.headers["x-claude-code-session-id"],
    );
  });

  it("values that are empty, not printable or overlong are not taken as they are", () => {
    expect(sessionOf({ "llmux-session": "   " })).toEqual({});
    expect(sessionOf({ "llmux-session": "a b\u0001" })).toEqual({});
    expect(sessionOf({ "llmux-session": "x".repeat(500) }).session).toHaveLength(128);
  });
});
