import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { TimerWheel, type WheelEntry } from "../../src/http/timer-wheel.js";
import type { AttemptClock } from "../../src/request/timing.js";
import { callUpstream, UpstreamPool } from "../../src/upstream/call.js";
import { abortListeners, fakeProvider } from "../support/upstream-fakes.js";

/**
 * A JSON answer is read whole by the response's events (src/upstream/read-reply.ts), not through an iterator:
 * the same text however it is cut into chunks, the same clock, the same deadlines and bounds, and nothing left
 * on the timer wheel or the client's signal. The upstream is a real HTTP server; each path names what it does.
 */

const ANSWER = JSON.stringify({
  id: "chatcmpl-1",
  object: "chat.completion",
  choices: [{ index: 0, message: { role: "assistant", content: "héllo ".repeat(2000) }, finish_reason: "stop" }],
  usage: { prompt_tokens: 3, completion_tokens: 2000 },
});
const bytes = Buffer.from(ANSWER);
const pause = (ms: number) => new Promise((r) => setTimeout(r, ms));
/** Connections the server saw close, by path, and who waits for the next. */
const closed = new Map<string, number>();
const closeWaiters = new Set<() => void>();
/** Resolves once the server has seen more than `seen` connections of `path` close. */
function closedOnce(path: string, seen: number): Promise<void> {
  return new Promise((resolve) => {
    const check = () => {
      if ((closed.get(path) ?? 0) <= seen) return;
      closeWaiters.delete(check);
      resolve();
    };
    closeWaiters.add(check);
    check();
  });
}

const routes: Record<string, (req: IncomingMessage, res: ServerResponse) => Promise<void> | void> = {
  // The answer in 7 pieces, 20 ms apart, some cutting a character in two.
  "/pieces": async (_req, res) => {
    res.writeHead(200, { "content-type": "application/json", "content-length": bytes.length });
    const step = Math.ceil(bytes.length / 7) + 1;
    for (let at = 0; at < bytes.length; at += step) {
      res.write(bytes.subarray(at, at + step));
      await pause(20);
    }
    res.end();
  },
  // Half the answer, then silence.
  "/stall": (_req, res) => {
    res.writeHead(200, { "content-type": "application/json", "content-length": bytes.length });
    res.write(bytes.subarray(0, bytes.length >> 1));
  },
  // Half the answer, then the connection goes.
  "/cut": async (_req, res) => {
    res.writeHead(200, { "content-type": "application/json", "content-length": bytes.length });
    res.write(bytes.subarray(0, bytes.length >> 1));
    await pause(20);
    res.socket?.destroy();
  },
  // The whole answer, which the pool's limit does not allow.
  "/large": (_req, res) => {
    res.writeHead(200, { "content-type": "application/json" });
    res.end(bytes);
  },
};

let upstream: Server;
let origin: string;
beforeAll(async () => {
  upstream = createServer((req, res) => {
    const path = req.url ?? "";
    req.socket.once("close", () => {
      closed.set(path, (closed.get(path) ?? 0) + 1);
      for (const w of [...closeWaiters]) w();
    });
    req.resume();
    void routes[path]?.(req, res);
  });
  await new Promise<void>((r) => upstream.listen(0, "127.0.0.1", r));
  origin = `http://127.0.0.1:${(upstream.address() as AddressInfo).port}`;
});
afterAll(async () => {
  upstream.closeAllConnections();
  await new Promise<void>((r) => upstream.close(() => r()));
});

function newClock(): AttemptClock {
  return { startAt: performance.now(), waitMs: 0, chunks: 0, maxGapMs: 0, alias: "a", provider: "whole", model: "m" };
}

/**
 * A wheel that never turns on its own: `expire()` brings every deadline on it due, so a test says when the
 * upstream has been silent too long instead of racing a clock.
 */
class HandWheel extends TimerWheel {
  private readonly entries = new Set<WheelEntry>();
  constructor() {
    super(1_000_000);
  }
  override schedule(entry: WheelEntry, at: number): void {
    this.entries.add(entry);
    super.schedule(entry, at);
  }
  expire(): void {
    const now = performance.now() + 1_000_000;
    for (const e of this.entries)
      if (e.wheelSlot >= 0) {
        this.cancel(e);
        e.wheelDue(now);
      }
  }
}

interface CallOptions {
  answerBytes?: number;
  signal?: AbortSignal;
  /** Called once the first chunk of the answer has come. */
  onFirstChunk?: (wheel: HandWheel) => void;
  /** Awaited before the pool is closed (which lets go of every connection). */
  before?: () => Promise<void>;
}

async function call(path: string, opts: CallOptions = {}) {
  const wheel = new HandWheel();
  const pool = Object.assign(new UpstreamPool({ eventBytes: 1 << 20, answerBytes: opts.answerBytes ?? 1 << 20 }), {
    wheel,
  });
  const signal = opts.signal ?? new AbortController().signal;
  const clock = newClock();
  const first = opts.onFirstChunk;
  if (first) clock.tap = () => clock.chunks === 1 && setImmediate(() => first(wheel));
  const url = `${origin}${path}`;
  try {
    const reply = await callUpstream(
      pool,
      fakeProvider({ name: "whole", url, timeoutMs: 60_000 }),
      { url, headers: {} },
      "{}",
      signal,
      "openai-chat",
      clock,
    );
    const chunks: Uint8Array[] = [];
    if (!reply.whole) for await (const c of reply.body) chunks.push(c);
    const text = reply.whole ? reply.whole.text : Buffer.concat(chunks).toString();
    await opts.before?.();
    return { reply, text, clock, wheel, signal };
  } finally {
    pool.close();
  }
}

describe("an upstream's JSON answer read whole", () => {
  it("in pieces, a character cut in two among them: the same text and parse, every piece on the clock", async () => {
    const { reply, text, clock, wheel, signal } = await call("/pieces");
    expect(reply.status).toBe(200);
    expect(text).toBe(ANSWER);
    expect(reply.whole?.json).toEqual(JSON.parse(ANSWER));
    // Seven pieces, 20 ms apart (fewer chunks if some arrive together): llmux waited through the pauses.
    expect(clock.chunks).toBeGreaterThanOrEqual(1);
    expect(clock.chunks).toBeLessThanOrEqual(7);
    expect(clock.waitMs).toBeGreaterThanOrEqual(100);
    expect(clock.lastAt).toBeGreaterThanOrEqual(clock.firstAt ?? Number.POSITIVE_INFINITY);
    expect(wheel.pending).toBe(0);
    expect(abortListeners(signal)).toBe(0);
  });

  it("silent mid-body past the provider's timeout: a 502 that says it did not answer in time, nothing left", async () => {
    const { reply, text, wheel, signal } = await call("/stall", { onFirstChunk: (w) => w.expire() });
    expect(reply.status).toBe(502);
    expect(text).toMatch(/cut mid-body \(upstream whole \(127\.0\.0\.1:\d+\) did not answer in time\)/);
    expect(wheel.pending).toBe(0);
    expect(abortListeners(signal)).toBe(0);
  });

  it("a connection cut mid-body: a 502 that says so, never a partial answer", async () => {
    const { reply, text, wheel } = await call("/cut");
    expect(reply.status).toBe(502);
    expect(reply.whole).toBeUndefined();
    expect(text).toMatch(/its answer was cut mid-body/);
    expect(wheel.pending).toBe(0);
  });

  it("past server.max_answer_mb: a 502 naming the limit, and the connection is let go", async () => {
    const before = closed.get("/large") ?? 0;
    // The upstream sees its connection close while the pool is still open: llmux let it go, not the pool's end.
    const { reply, text } = await call("/large", { answerBytes: 4096, before: () => closedOnce("/large", before) });
    expect(reply.status).toBe(502);
    expect(text).toMatch(/larger than server\.max_answer_mb/);
    expect(closed.get("/large")).toBe(before + 1);
  });

  it("a client that goes away mid-body: the call ends at once, nothing left on the wheel or the signal", async () => {
    const client = new AbortController();
    const { reply, wheel, signal } = await call("/stall", {
      signal: client.signal,
      onFirstChunk: () => client.abort(),
    });
    expect(reply.status).toBe(502);
    expect(wheel.pending).toBe(0);
    expect(abortListeners(signal)).toBe(0);
  });
});
