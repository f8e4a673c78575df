import { createServer, request, type Server } from "node:http";
import type { AddressInfo, Socket } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { callUpstream, UpstreamPool } from "../../src/upstream/call.js";
import { fakeProvider } from "../support/upstream-fakes.js";

/**
 * The upstream pool's idle connections (closingWhenIdle in src/upstream/lean-agent.ts): a connection's idle
 * timeout is set once, not cleared and set again by every request on it; an idle connection still closes after
 * the pool's idle time, or sooner when the upstream's Keep-Alive header says so; a request slower than the idle
 * time is not cut by it. The upstream is a real HTTP server on a real connection.
 */

const ANSWER = JSON.stringify({
  id: "c",
  object: "chat.completion",
  choices: [{ index: 0, message: { role: "assistant", content: "ok" }, finish_reason: "stop" }],
  usage: { prompt_tokens: 1, completion_tokens: 1 },
});

let upstream: Server;
let origin: string;
beforeAll(async () => {
  upstream = createServer((req, res) => {
    req.resume();
    req.on("end", () => {
      const path = req.url ?? "";
      const headers: Record<string, string> = { "content-type": "application/json" };
      // The upstream announces when it closes an idle connection: in 3 s, or in 1 s.
      if (path === "/hint-3") headers["keep-alive"] = "timeout=3";
      if (path === "/hint-1") headers["keep-alive"] = "timeout=1";
      const delay = path === "/slow" ? 400 : 0;
      setTimeout(() => res.writeHead(200, headers).end(ANSWER), delay);
    });
  });
  // Node's server sends its own hint (timeout=5) unless told not to; these tests send theirs.
  upstream.keepAliveTimeout = 0;
  await new Promise<void>((r) => upstream.listen(0, "127.0.0.1", r));
  origin = `http://127.0.0.1:${(upstream.address() as AddressInfo).port}`;
});
afterAll(async () => {
  upstream.closeAllConnections();
  await new Promise<void>((r) => upstream.close(() => r()));
});

async function ask(pool: UpstreamPool, path = "/"): Promise<number> {
  const url = `${origin}${path}`;
  const reply = await callUpstream(
    pool,
    fakeProvider({ name: "idle", url, timeoutMs: 10_000 }),
    { url, headers: {} },
    "{}",
    new AbortController().signal,
  );
  expect(reply.whole?.text).toBe(ANSWER);
  return reply.status;
}

/** The one connection the pool holds idle now. */
function pooled(pool: UpstreamPool): Socket {
  const free = Object.values(pool.http.freeSockets).flat() as Socket[];
  expect(free).toHaveLength(1);
  return free[0]!;
}

const closed = (socket: Socket) => new Promise<void>((r) => (socket.destroyed ? r() : socket.once("close", () => r())));

describe("the upstream pool's idle connections", () => {
  it("a connection's idle timeout is set once: 50 requests on it never clear or set it again", async () => {
    const pool = new UpstreamPool(undefined, 30_000);
    try {
      expect(await ask(pool)).toBe(200);
      const socket = pooled(pool);
      expect(socket.timeout).toBe(30_000);
      let set = 0;
      const original = socket.setTimeout.bind(socket);
      socket.setTimeout = ((ms: number, cb?: () => void) => {
        set++;
        return original(ms, cb);
      }) as Socket["setTimeout"];
      // One at a time: each request takes the same pooled connection and gives it back.
      for (let i = 0; i < 50; i++) expect(await ask(pool)).toBe(200);
      expect(pooled(pool)).toBe(socket);
      expect(set).toBe(0);
      expect(socket.timeout).toBe(30_000);
    } finally {
      pool.close();
    }
  });

  it("an idle connection closes after the pool's idle time", async () => {
    const pool = new UpstreamPool(undefined, 300);
    try {
      await ask(pool);
      const socket = pooled(pool);
      expect(socket.timeout).toBe(300);
      await closed(socket);
      expect(Object.values(pool.http.freeSockets).flat()).toHaveLength(0);
    } finally {
      pool.close();
    }
  });

  it("an upstream's Keep-Alive hint shortens it (a second before), or keeps nothing when it leaves no time", async () => {
    const pool = new UpstreamPool(undefined, 30_000);
    try {
      await ask(pool, "/hint-3");
      expect(pooled(pool).timeout).toBe(2000);
      // The same connection, now told 1 s: closed rather than pooled.
      const socket = pooled(pool);
      await ask(pool, "/hint-1");
      // Let go as the answer ended, not pooled until its 2 s ran out.
      expect(Object.values(pool.http.freeSockets).flat()).toHaveLength(0);
      expect(socket.destroyed).toBe(true);
      await closed(socket);
    } finally {
      pool.close();
    }
  });

  it("an idle time that ran out while a request held the connection starts again when it is pooled", async () => {
    const pool = new UpstreamPool(undefined, 100);
    try {
      await ask(pool);
      const socket = pooled(pool);
      // The connection reused for an answer whose reader holds it three idle times without a read or a write:
      // the idle timeout comes meanwhile, and the agent leaves a connection in use alone.
      await new Promise<void>((resolve, reject) => {
        const req = request(`${origin}/`, { method: "POST", agent: pool.http }, (res) => {
          expect(res.socket).toBe(socket);
          setTimeout(() => {
            res.on("end", resolve).resume();
          }, 300);
        });
        req.on("error", reject);
        req.end("{}");
      });
      // Pooled again: closed once idle for its time from now, not kept open for good.
      await closed(socket);
      expect(Object.values(pool.http.freeSockets).flat()).toHaveLength(0);
    } finally {
      pool.close();
    }
  });

  it("a request slower than the idle time is answered whole: the timeout closes idle connections only", async () => {
    const pool = new UpstreamPool(undefined, 100);
    try {
      await ask(pool);
      const socket = pooled(pool);
      // Reused for an answer that takes 400 ms, four idle times.
      expect(await ask(pool, "/slow")).toBe(200);
      expect(socket.destroyed).toBe(false);
      await closed(socket);
    } finally {
      pool.close();
    }
  });
});
