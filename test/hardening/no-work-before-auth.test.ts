/**
 * No work before auth: a request without a valid key is answered before its body is buffered or parsed (only
 * a bounded prefix of a Chat body is read, to recognise Cursor), the rest is discarded as it arrives within
 * the body bounds, and every body read has a time limit (server.body_timeout_ms, 408).
 */
import { request } from "node:http";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type Harness, startHarness } from "../support/gateway.js";

const MB = 1024 * 1024;
const GOOD = "sk-good-key";

interface Sent {
  status: number;
  body: string;
  /** Bytes of the body the client had written when the answer's headers arrived. */
  sentAtAnswer: number;
  /** Bytes written in all. */
  sent: number;
  /** Whether the server closed the connection before the client ended its body. */
  cutByServer: boolean;
}

/**
 * Posts a body of `total` bytes in `piece`-byte writes (each after the last was taken, `gapMs` apart), and
 * keeps sending after the answer came (as a careless or hostile client does), unless the server cuts it.
 */
function send(
  url: string,
  path: string,
  total: number,
  opts: {
    headers?: Record<string, string>;
    piece?: number;
    gapMs?: number;
    head?: string;
    stopOnAnswer?: boolean;
  } = {},
): Promise<Sent> {
  const piece = opts.piece ?? 64 * 1024;
  const chunk = Buffer.alloc(piece, 0x20);
  chunk.write(opts.head ?? '{"model":"via-openai-chat","messages":[{"role":"user","content":"');
  return new Promise((resolve) => {
    let sent = 0;
    let sentAtAnswer = -1;
    let status = 0;
    let body = "";
    let ended = false;
    let answered = false;
    let settled = false;
    const finish = (cutByServer: boolean) => {
      if (settled) return;
      settled = true;
      resolve({ status, body, sentAtAnswer, sent, cutByServer });
    };
    const req = request(
      `${url}${path}`,
      {
        method: "POST",
        headers: { "content-type": "application/json", "content-length": String(total), ...opts.headers },
      },
      (res) => {
        sentAtAnswer = sent;
        status = res.statusCode ?? 0;
        res.setEncoding("utf8");
        res.on("data", (s: string) => {
          body += s;
        });
        res.on("end", () => {
          answered = true;
          if (ended) finish(false);
          else if (opts.stopOnAnswer) req.destroy();
        });
      },
    );
    req.on("error", () => finish(!ended));
    req.on("close", () => finish(!ended));
    const pump = async () => {
      while (sent < total && !req.destroyed) {
        const n = Math.min(piece, total - sent);
        const ok = req.write(n === piece ? chunk : chunk.subarray(0, n));
        sent += n;
        if (!ok)
          await new Promise<void>((r) => {
            const done = () => {
              req.off("drain", done).off("close", done);
              r();
            };
            req.once("drain", done).once("close", done);
          });
        if (opts.gapMs) await new Promise((r) => setTimeout(r, opts.gapMs));
      }
      if (req.destroyed) return;
      ended = true;
      req.end();
      if (answered) finish(false);
    };
    void pump();
  });
}

describe("unauthenticated bodies are not read", () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness(() => ({ auth: { keys: [GOOD] }, server: { body_timeout_ms: 2500 } }));
  });
  afterAll(() => h.close());

  it("20 unauthenticated 30 MB bodies on a Chat route: each answered 401 before it was sent, RSS stays flat", async () => {
    if (global.gc) global.gc();
    const before = process.memoryUsage().rss;
    let peak = before;
    const sampler = setInterval(() => {
      peak = Math.max(peak, process.memoryUsage().rss);
    }, 20);
    const runs = await Promise.all(
      Array.from({ length: 20 }, (_, i) =>
        send(h.url, "/v1/chat/completions", 30 * MB, { headers: i % 2 ? { authorization: "Bearer sk-wrong" } : {} }),
      ),
    );
    clearInterval(sampler);
    peak = Math.max(peak, process.memoryUsage().rss);
    const grewMb = (peak - before) / MB;
    console.log(
      `RSS before ${Math.round(before / MB)} MB, peak ${Math.round(peak / MB)} MB (+${Math.round(grewMb)} MB)`,
    );
    console.log(`sent when answered: ${runs.map((r) => (r.sentAtAnswer / MB).toFixed(1)).join(", ")} MB`);
    for (const r of runs) {
      expect(r.status).toBe(401);
      expect(JSON.parse(r.body).error.code).toBe("invalid_api_key");
      // answered while most of the body was still on its way
      expect(r.sentAtAnswer).toBeGreaterThanOrEqual(0);
      expect(r.sentAtAnswer).toBeLessThan(30 * MB);
    }
    // 20 × 30 MB buffered would be 600 MB
    expect(grewMb).toBeLessThan(150);
    const refused = h.logs.filter((l) => l.msg === "request refused" && l.status === 401);
    expect(refused.length).toBeGreaterThanOrEqual(20);
  }, 60_000);

  it("a no-key body trickled at 1 byte / 2 s is refused at once and its connection closed within the body timeout", async () => {
    const r = await send(h.url, "/v1/chat/completions", 1000, { piece: 1, gapMs: 2000 });
    expect(r.status).toBe(401);
    // the answer came with the first bytes (a 1000-byte trickle would take 2000 s)…
    expect(r.sentAtAnswer).toBeLessThan(10);
    // …and the server let go of the connection (body_timeout_ms 2500) long before the client was done
    expect(r.cutByServer).toBe(true);
    expect(r.sent).toBeLessThan(10);
  }, 30_000);

  it("a 30 MB Cursor body with a wrong key: 403 from a bounded prefix, answered long before the body was sent", async () => {
    const r = await send(h.url, "/v1/chat/completions", 30 * MB, {
      headers: { authorization: "Bearer sk-wrong" },
      head: '{"model":"gpt-5","metadata":{"cursorConversationId":"c1"},"messages":[{"role":"user","content":"',
      stopOnAnswer: true,
    });
    expect(r.status).toBe(403);
    expect(JSON.parse(r.body).error.message).toContain("In Cursor, set Settings");
    // only the prefix (64 KB) was needed to tell; the rest was never waited for
    expect(r.sentAtAnswer).toBeGreaterThanOrEqual(0);
    expect(r.sentAtAnswer).toBeLessThan(8 * MB);
  }, 30_000);

  it("a no-key body is refused before it is parsed: a broken body still gets 401, not 400", async () => {
    for (const path of ["/v1/chat/completions", "/v1/messages", "/v1/responses", "/v1/messages/count_tokens"]) {
      const res = await fetch(`${h.url}${path}`, {
        method: "POST",
        body: "{not json",
        headers: { "x-api-key": "nope" },
      });
      expect(res.status, path).toBe(401);
    }
  });
});

describe("an authenticated body that is too slow", () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness(() => ({ auth: { keys: [GOOD] }, server: { body_timeout_ms: 500 } }));
  });
  afterAll(() => h.close());

  it("is answered 408 after server.body_timeout_ms, naming the option", async () => {
    const r = await send(h.url, "/v1/chat/completions", 1000, {
      piece: 1,
      gapMs: 200,
      headers: { authorization: `Bearer ${GOOD}` },
    });
    expect(r.status).toBe(408);
    expect(JSON.parse(r.body).error.message).toContain("server.body_timeout_ms");
    expect(r.cutByServer).toBe(true);
    await new Promise((res) => setTimeout(res, 50));
    expect(h.logs.some((l) => l.status === 408 && String(l.reason ?? "").includes("body_timeout_ms"))).toBe(true);
  }, 30_000);
});

describe("auth.passthrough (no local key check)", () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness(() => ({ auth: { passthrough: true }, server: { body_timeout_ms: 500, body_limit_mb: 1 } }));
  });
  afterAll(() => h.close());

  it("a request without any key is refused before its body; with a key the body is bounded by time and size", async () => {
    const none = await send(h.url, "/v1/chat/completions", 30 * MB);
    expect(none.status).toBe(401);
    expect(none.sentAtAnswer).toBeLessThan(30 * MB);
    const slow = await send(h.url, "/v1/messages", 1000, { piece: 1, gapMs: 200, headers: { "x-api-key": "sk-any" } });
    expect(slow.status).toBe(408);
    const big = await send(h.url, "/v1/messages", 30 * MB, { headers: { "x-api-key": "sk-any" } });
    expect(big.status).toBe(413);
    expect(big.sentAtAnswer).toBeLessThan(30 * MB);
  }, 30_000);
});

describe("the admin API", () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness(() => ({
      auth: { keys: [GOOD] },
      admin: { keys: ["admin-key-0123456789abcdef"] },
      secrets: { master_key: "master-key-for-tests-0123456789" },
      server: { body_timeout_ms: 1000 },
    }));
  });
  afterAll(() => h.close());

  it("refuses a body without an admin key at once, and lets go of its connection within the body timeout", async () => {
    const r = await send(h.url, "/admin/v1/keys", 1000, { piece: 1, gapMs: 300 });
    expect(r.status).toBe(401);
    expect(r.sentAtAnswer).toBeLessThan(10);
    expect(r.cutByServer).toBe(true);
    expect(r.sent).toBeLessThan(20);
  }, 20_000);
});
