import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { freshSqlite } from "../support/engines.js";
import { eventually, type Harness } from "../support/gateway.js";
import { admin, sleep, teamHarness } from "../support/team.js";
import { codexTurn, ResponsesSocket, textOf, userText } from "../support/ws-client.js";

const turnLines = (h: Harness) => h.logs.filter((l) => l.msg?.startsWith("request") && l.transport === "websocket");

describe("turns on a socket: failures, aborts, budgets and keys", () => {
  let h: Harness;
  beforeAll(async () => {
    h = await teamHarness(await freshSqlite());
  });
  afterAll(() => h.close());

  const mint = async (body: Record<string, unknown> = {}) => {
    const r = await admin(h, "POST", "/keys", { name: `ws-${Math.random().toString(36).slice(2, 8)}`, ...body });
    expect(r.status).toBe(201);
    return { key: r.body.key as string, id: r.body.id as string };
  };

  it.each(["via-azure-responses", "via-anthropic"])(
    "%s: an upstream 429, then a 500, are error frames with their status; the socket serves the next turn",
    async (alias) => {
      const { key } = await mint();
      const s = await ResponsesSocket.open(h.url, key);
      h.mock.enqueue({ httpError: { status: 429, message: "slow down", retryAfter: "7" } });
      const limited = await s.turn(codexTurn(alias, [userText("one")]));
      expect(limited.at(-1)).toMatchObject({ type: "error", status: 429 });
      expect(limited.at(-1)!.headers["retry-after"]).toBe("7");
      h.mock.enqueue({ httpError: { status: 500, message: "upstream broke" } });
      const broke = await s.turn(codexTurn(alias, [userText("two")]));
      expect(broke.at(-1)!.type).toBe("error");
      expect(broke.at(-1)!.status).toBeGreaterThanOrEqual(500);
      const ok = await s.turn(codexTurn(alias, [userText("three")]));
      expect(textOf(ok)).toBe("mock: three");
      await s.close();
    },
  );

  it.each(["via-azure-responses", "via-anthropic"])(
    "%s: a stream that breaks off mid-turn ends with the dialect's failure event",
    async (alias) => {
      const { key } = await mint();
      const s = await ResponsesSocket.open(h.url, key);
      h.mock.enqueue({
        blocks: [
          { type: "text", text: "partial answer" },
          { type: "text", text: "never sent" },
        ],
        streamError: { afterBlocks: 1, message: "overloaded mid-stream", kind: "overloaded" },
      });
      const got = await s.turn(codexTurn(alias, [userText("go")]));
      const last = got.at(-1)!;
      expect(["error", "response.failed"]).toContain(last.type);
      expect(JSON.stringify(last)).toMatch(/overloaded/i);
      expect(textOf(got)).toContain("partial answer");
      await s.close();
    },
  );

  it("a socket closed mid-turn aborts the upstream call; the turn is settled once, as aborted", async () => {
    const { key } = await mint();
    const s = await ResponsesSocket.open(h.url, key);
    h.mock.reset();
    h.mock.enqueue({
      blocks: Array.from({ length: 40 }, (_, i) => ({ type: "text" as const, text: `part ${i} ` })),
      chunkDelayMs: 100,
    });
    const before = turnLines(h).length;
    const from = s.count;
    s.send({ type: "response.create", ...codexTurn("via-anthropic", [userText("long")]) });
    await s.until(from, (f) => f.type === "response.output_text.delta");
    s.ws.terminate();
    await eventually(() => h.mock.requests[0]?.closedAt, 5000);
    const lines = await eventually(() => {
      const l = turnLines(h).slice(before);
      return l.length > 0 ? l : undefined;
    }, 5000);
    await sleep(200);
    expect(turnLines(h).slice(before)).toHaveLength(1);
    expect(lines[0]!.outcome).toBe("aborted");
  });

  it("a budget exhausted between turns refuses the next turn in-band", async () => {
    const { key, id } = await mint();
    const s = await ResponsesSocket.open(h.url, key);
    const ok = await s.turn(codexTurn("via-azure-responses", [userText("first")]));
    expect(ok.at(-1)!.type).toBe("response.completed");
    const patched = await admin(h, "PATCH", `/keys/${id}`, { budget: { usd: 0.00000001, period: "day" } });
    expect(patched.status).toBe(200);
    const refused = await s.turn(codexTurn("via-azure-responses", [userText("second")]));
    expect(refused.at(-1)).toMatchObject({ type: "error" });
    expect(refused.at(-1)!.status).toBeGreaterThanOrEqual(400);
    expect(refused.at(-1)!.error.message).toMatch(/budget/i);
    await s.close();
  });

  it("a key revoked while its socket is open is refused on its next turn", async () => {
    const { key, id } = await mint();
    const s = await ResponsesSocket.open(h.url, key);
    const ok = await s.turn(codexTurn("via-anthropic", [userText("first")]));
    expect(ok.at(-1)!.type).toBe("response.completed");
    // Revoked through this instance: its memory of keys is dropped before the answer.
    expect((await admin(h, "DELETE", `/keys/${id}`)).status).toBeLessThan(300);
    const last = (await s.turn(codexTurn("via-anthropic", [userText("again")]))).at(-1);
    expect(last).toMatchObject({ type: "error", status: 401 });
    expect(JSON.stringify(last)).toContain("revoked");
    await s.close();
  });
});
