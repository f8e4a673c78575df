/** Envelope sealing, the reasoning cache's bounds, retention of stored responses, tool-pairing repair. */
import { afterEach, describe, expect, it, vi } from "vitest";
import { openDataStore } from "../../src/data/store.js";
import type { Request } from "../../src/ir/types.js";
import { Warnings } from "../../src/ir/warnings.js";
import { ReasoningCache } from "../../src/reasoning/cache.js";
import { dropForeignReasoning, openEnvelopes } from "../../src/reasoning/carry.js";
import { ENVELOPE_PREFIX, open, seal } from "../../src/reasoning/envelope.js";
import { INTERRUPTED_RESULT, repairToolPairing } from "../../src/translate/repair-pairing.js";
import { tempStorePath } from "../support/gateway.js";

const ORIGIN = { provider: "azure", model: "gpt-5-codex" };
const PART = { type: "reasoning" as const, text: "t", summary: ["s1", "s2"], encrypted: "gAAAA-state", id: "rs_1" };

describe("envelopes", () => {
  it("round-trip every field and the origin", () => {
    const env = seal({ ...PART, signature: "sig", redacted: "red", raw: true }, ORIGIN, "secret-1234567890");
    expect(env.startsWith(ENVELOPE_PREFIX)).toBe(true);
    expect(open(env, "secret-1234567890")).toEqual({
      ok: true,
      part: { ...PART, signature: "sig", redacted: "red", raw: true },
      origin: ORIGIN,
    });
  });

  it("refuse any altered byte, another secret, a truncated mac, and junk", () => {
    const env = seal(PART, ORIGIN, "secret-1234567890");
    for (let i = ENVELOPE_PREFIX.length; i < env.length; i += 7) {
      const c = env[i] === "A" ? "B" : "A";
      expect(open(env.slice(0, i) + c + env.slice(i + 1), "secret-1234567890").ok).toBe(false);
    }
    expect(open(env, "another-secret-00000").ok).toBe(false);
    expect(open(env.slice(0, -4), "secret-1234567890").ok).toBe(false);
    expect(open(`${ENVELOPE_PREFIX}garbage`, "secret-1234567890").ok).toBe(false);
  });

  it("cannot be re-bound: the origin is inside the sealed payload", () => {
    const env = seal(PART, ORIGIN, "k".repeat(20));
    const [, payload, mac] = env.split(".");
    const forged = JSON.parse(Buffer.from(payload!, "base64url").toString());
    forged.p = "anthropic";
    const rebound = `${ENVELOPE_PREFIX}${Buffer.from(JSON.stringify(forged)).toString("base64url")}.${mac}`;
    expect(open(rebound, "k".repeat(20)).ok).toBe(false);
  });

  it("are opened in requests, forged ones dropped, foreign ones dropped", () => {
    const secret = "s".repeat(20);
    const req: Request = {
      source: "anthropic",
      model: "m",
      stream: false,
      messages: [
        {
          role: "assistant",
          content: [
            { type: "reasoning", text: "shown", signature: seal(PART, ORIGIN, secret) },
            { type: "reasoning", text: "shown", signature: `${seal(PART, ORIGIN, secret)}x` },
            { type: "reasoning", text: "other", signature: seal(PART, { provider: "other", model: "x" }, secret) },
            { type: "text", text: "answer" },
          ],
        },
      ],
    };
    const w = new Warnings();
    openEnvelopes(req, secret, w);
    expect(req.messages[0]!.content).toHaveLength(3);
    dropForeignReasoning(req, ORIGIN, w);
    expect(req.messages[0]!.content).toEqual([
      { ...PART, origin: ORIGIN },
      { type: "text", text: "answer" },
    ]);
    expect(w.list.map((x) => x.code)).toEqual([
      "envelope_refused",
      "envelope_refused_count",
      "foreign_reasoning_dropped",
    ]);
  });
});

describe("the reasoning cache", () => {
  afterEach(() => {
    vi.useRealTimers();
  });

  it("restores a turn's reasoning in its original place, only for the same provider and model", async () => {
    const store = openDataStore({ path: tempStorePath(), reasoningMaxEntries: 100, reasoningTtlSeconds: 3600 });
    const cache = new ReasoningCache(() => store.reasoning);
    await cache.capture(
      [
        { type: "reasoning", text: "first", signature: "S1" },
        { type: "text", text: "Checking." },
        { type: "reasoning", text: "second", signature: "S2" },
        { type: "tool_call", id: "call_1", name: "f", arguments: "{}", kind: "function" },
      ],
      ORIGIN,
      "scope",
    );
    const echo = (): Request => ({
      source: "openai-chat",
      model: "m",
      stream: false,
      messages: [
        {
          role: "assistant",
          content: [
            { type: "text", text: "Checking." },
            { type: "tool_call", id: "call_1", name: "f", arguments: "{}", kind: "function" },
          ],
        },
      ],
    });
    const same = echo();
    expect(await cache.restore(same, ORIGIN, "scope", new Warnings())).toBe(1);
    expect(same.messages[0]!.content.map((p) => (p.type === "reasoning" ? p.text : p.type))).toEqual([
      "first",
      "text",
      "second",
      "tool_call",
    ]);
    const otherScope = echo();
    expect(await cache.restore(otherScope, ORIGIN, "someone-else", new Warnings())).toBe(0);
    const otherModel = echo();
    expect(await cache.restore(otherModel, { provider: "azure", model: "gpt-5" }, "scope", new Warnings())).toBe(0);
    // And from the store alone (a restart: a new cache with an empty memory).
    const fresh = new ReasoningCache(() => store.reasoning);
    const again = echo();
    expect(await fresh.restore(again, ORIGIN, "scope", new Warnings())).toBe(1);
    // A client that echoes the reasoning text (reasoning_content) gets its text replaced by the signed parts.
    const textEcho = echo();
    textEcho.messages[0]!.content.unshift({ type: "reasoning", text: "first\n\nsecond", raw: true });
    expect(await cache.restore(textEcho, ORIGIN, "scope", new Warnings())).toBe(1);
    expect(textEcho.messages[0]!.content.map((p) => (p.type === "reasoning" ? p.signature : p.type))).toEqual([
      "S1",
      "text",
      "S2",
      "tool_call",
    ]);
    // Reasoning that carries its own state is the client's: left as it is.
    const stateful = echo();
    stateful.messages[0]!.content.unshift({ type: "reasoning", text: "mine", signature: "MINE" });
    expect(await cache.restore(stateful, ORIGIN, "scope", new Warnings())).toBe(0);
    expect(stateful.messages[0]!.content.filter((p) => p.type === "reasoning")).toEqual([
      { type: "reasoning", text: "mine", signature: "MINE" },
    ]);
    await store.close();
  });

  it("is bounded in time and in size (least recently used go first)", async () => {
    vi.useFakeTimers({ toFake: ["Date"] });
    vi.setSystemTime(new Date("2026-11-21T00:00:00Z"));
    const store = openDataStore({ path: tempStorePath(), reasoningMaxEntries: 3, reasoningTtlSeconds: 60 });
    const kv = store.reasoning;
    await kv.put("a", "1");
    vi.setSystemTime(new Date("2026-11-21T00:00:10Z"));
    await kv.put("b", "2");
    await kv.put("c", "3");
    vi.setSystemTime(new Date("2026-11-21T00:00:20Z"));
    expect(await kv.get("a")).toBe("1"); // touched: now the most recently used
    await kv.put("d", "4");
    await store.reasoning.trim();
    const values = [];
    for (const k of ["a", "b", "c", "d"]) values.push(await kv.get(k));
    expect(values).toEqual(["1", undefined, "3", "4"]);
    vi.setSystemTime(new Date("2026-11-21T00:02:00Z"));
    expect(await kv.get("d")).toBeUndefined(); // past its time to live
    await store.close();
  });
});

describe("stored responses", () => {
  it("are pruned past their retention", async () => {
    const store = openDataStore({ path: tempStorePath(), reasoningMaxEntries: 10, reasoningTtlSeconds: 10 });
    await store.responses.put("o", {
      id: "resp_old",
      createdAt: 1000,
      input: [],
      response: { id: "resp_old", output: [{ id: "msg_old", type: "message" }] },
    });
    await store.responses.put("o", {
      id: "resp_new",
      createdAt: 5000,
      input: [],
      response: { id: "resp_new", output: [] },
    });
    expect(await store.responses.item("o", "msg_old")).toBeDefined();
    expect(await store.responses.prune(2000)).toBe(1);
    expect(await store.responses.get("o", "resp_old")).toBeUndefined();
    expect(await store.responses.item("o", "msg_old")).toBeUndefined();
    expect(await store.responses.get("o", "resp_new")).toBeDefined();
    await store.close();
  });

  it("keep one envelope secret across restarts", async () => {
    const path = tempStorePath();
    const a = openDataStore({ path, reasoningMaxEntries: 10, reasoningTtlSeconds: 10 });
    const secret = await a.secret();
    await a.close();
    const b = openDataStore({ path, reasoningMaxEntries: 10, reasoningTtlSeconds: 10 });
    expect(await b.secret()).toBe(secret);
    expect(secret.length).toBeGreaterThanOrEqual(32);
    await b.close();
  });
});

describe("tool-pairing repair", () => {
  it("answers calls left without a result, after the results that came, and keeps stray results as text", () => {
    const req: Request = {
      source: "openai-chat",
      model: "m",
      stream: false,
      messages: [
        {
          role: "assistant",
          content: [
            { type: "tool_call", id: "a", name: "f", arguments: "{}", kind: "function" },
            { type: "tool_call", id: "b", name: "f", arguments: "{}", kind: "function" },
          ],
        },
        { role: "tool", content: [{ type: "tool_result", callId: "a", content: [{ type: "text", text: "A" }] }] },
        { role: "tool", content: [{ type: "tool_result", callId: "ghost", content: [{ type: "text", text: "G" }] }] },
        { role: "user", content: [{ type: "text", text: "next" }] },
        { role: "assistant", content: [{ type: "tool_call", id: "c", name: "f", arguments: "{}", kind: "function" }] },
      ],
    };
    const w = new Warnings();
    repairToolPairing(req, w);
    const shape = req.messages.map(
      (m) =>
        `${m.role}:${m.content.map((p) => (p.type === "tool_result" ? `${p.callId}${p.isError ? "!" : ""}` : p.type === "tool_call" ? p.id : (p as { text: string }).text)).join(",")}`,
    );
    expect(shape).toEqual([
      "assistant:a,b",
      "tool:a,b!",
      "user:[llmux] Result of an unknown tool call (ghost): G",
      "user:next",
      "assistant:c",
      "tool:c!",
    ]);
    expect(JSON.stringify(req.messages[1]!.content[1])).toContain(INTERRUPTED_RESULT);
    expect(w.list.map((x) => x.code)).toEqual(["tool_call_interrupted", "tool_result_orphaned"]);
  });
});
