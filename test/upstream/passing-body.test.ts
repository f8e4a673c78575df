/**
 * The body wrappers made iterator objects instead of async generators (src/upstream/passing-body.ts,
 * replay-body.ts, and capEvents, capTotal, capFrames built on them): the chunks pass unchanged and in order, a
 * check that throws closes the source and rejects, a consumer that stops early closes the source, a source that
 * fails rejects. capEvents is compared, on generated streams cut at every kind of place, with the async
 * generator it replaces (kept below as it was): the same chunks through, the same refusal at the same chunk.
 */
import { describe, expect, it } from "vitest";
import { PassingBody } from "../../src/upstream/passing-body.js";
import { replayBody } from "../../src/upstream/replay-body.js";
import { AnswerTooLarge, capEvents, capTotal, tooLarge } from "../../src/upstream/screen.js";

/** A source that records whether it was closed (its `return` called), and may fail after some chunks. */
function source(chunks: Uint8Array[], failAfter?: number) {
  const state = { closed: false, pulled: 0 };
  const body: AsyncIterableIterator<Uint8Array> = {
    [Symbol.asyncIterator]() {
      return body;
    },
    async next() {
      if (state.closed || state.pulled >= chunks.length) return { done: true, value: undefined };
      if (failAfter !== undefined && state.pulled >= failAfter) throw new Error("upstream cut");
      return { done: false, value: chunks[state.pulled++]! };
    },
    async return() {
      state.closed = true;
      return { done: true, value: undefined };
    },
  };
  return { body, state };
}

const bytes = (s: string) => Buffer.from(s);

async function drain<T>(it: AsyncIterable<T>): Promise<T[]> {
  const out: T[] = [];
  for await (const c of it) out.push(c);
  return out;
}

describe("PassingBody", () => {
  it("passes every chunk through its function, in order, then ends", async () => {
    const { body, state } = source([bytes("a"), bytes("bc"), bytes("")]);
    const got = await drain(new PassingBody(body, (c: Uint8Array) => c.length));
    expect(got).toEqual([1, 2, 0]);
    expect(state.pulled).toBe(3);
  });

  it("closes the source and rejects when the check throws", async () => {
    const { body, state } = source([bytes("a"), bytes("b"), bytes("c")]);
    const it = new PassingBody(body, (c: Uint8Array) => {
      if (c[0] === 0x62) throw new Error("refused");
      return c;
    });
    await expect(drain(it)).rejects.toThrow("refused");
    expect(state.closed).toBe(true);
    expect(state.pulled).toBe(2);
    expect(await it.next()).toEqual({ done: true, value: undefined });
  });

  it("closes the source when the consumer stops early", async () => {
    const { body, state } = source([bytes("a"), bytes("b"), bytes("c")]);
    for await (const c of new PassingBody(body, (x: Uint8Array) => x)) if (c[0] === 0x61) break;
    expect(state.closed).toBe(true);
    expect(state.pulled).toBe(1);
  });

  it("rejects with the source's own failure", async () => {
    const { body } = source([bytes("a"), bytes("b")], 1);
    await expect(drain(new PassingBody(body, (x: Uint8Array) => x))).rejects.toThrow("upstream cut");
  });
});

describe("replayBody", () => {
  it("replays the chunks read, then the rest, letting go of each replayed chunk", async () => {
    const held = [bytes("one"), bytes("two")];
    const { body } = source([bytes("three"), bytes("four")]);
    const got = await drain(replayBody(held, body, false));
    expect(got.map(String)).toEqual(["one", "two", "three", "four"]);
    expect(held.every((c) => c.length === 0)).toBe(true);
  });

  it("reads nothing more from a source that had ended", async () => {
    const { body, state } = source([bytes("never")]);
    expect((await drain(replayBody([bytes("all")], body, true))).map(String)).toEqual(["all"]);
    expect(state.pulled).toBe(0);
  });

  it("closes the rest when the consumer stops early, during the replay or after", async () => {
    for (const stopAt of ["one", "three"]) {
      const { body, state } = source([bytes("three"), bytes("four")]);
      for await (const c of replayBody([bytes("one"), bytes("two")], body, false)) if (String(c) === stopAt) break;
      expect(state.closed).toBe(true);
    }
  });

  it("rejects with the rest's failure", async () => {
    const { body } = source([bytes("x"), bytes("y")], 1);
    await expect(drain(replayBody([bytes("held")], body, false))).rejects.toThrow("upstream cut");
  });
});

/** capEvents as it was: an async generator (the oracle of the comparison below). */
async function* capEventsBefore(body: AsyncIterable<Uint8Array>, max: number): AsyncGenerator<Uint8Array> {
  let since = 0;
  let seam = Buffer.alloc(0);
  const lastBoundary = (b: Buffer) => {
    const lf = b.lastIndexOf("\n\n");
    const crlf = b.lastIndexOf("\r\n\r\n");
    const cr = b.lastIndexOf("\r\r");
    return Math.max(lf >= 0 ? lf + 2 : -1, crlf >= 0 ? crlf + 4 : -1, cr >= 0 ? cr + 2 : -1);
  };
  for await (const c of body) {
    const chunk = Buffer.from(c.buffer, c.byteOffset, c.length);
    const probe = seam.length > 0 ? Buffer.concat([seam, chunk.subarray(0, 3)]) : undefined;
    const end = Math.max(
      lastBoundary(chunk),
      probe && lastBoundary(probe) >= 0 ? lastBoundary(probe) - seam.length : -1,
    );
    since = end >= 0 ? chunk.length - end : since + chunk.length;
    if (since > max) throw new AnswerTooLarge(tooLarge("a single SSE event", "server.max_event_mb", max));
    seam = Buffer.from(chunk.subarray(Math.max(0, chunk.length - 3)));
    yield chunk;
  }
}

/** What a capped body let through, and the error that stopped it. */
async function outcome(it: AsyncIterable<Uint8Array>): Promise<{ chunks: string[]; error?: string }> {
  const chunks: string[] = [];
  try {
    for await (const c of it) chunks.push(Buffer.from(c).toString("latin1"));
    return { chunks };
  } catch (err) {
    return { chunks, error: (err as Error).message };
  }
}

/** A deterministic generator (mulberry32). */
function random(seed: number): () => number {
  let a = seed;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

describe("capEvents", () => {
  it("lets through and refuses exactly what the generator it replaces did", async () => {
    const separators = ["\n\n", "\r\n\r\n", "\r\r", "\n", "\r\n", "\r"];
    for (let seed = 1; seed <= 400; seed++) {
      const next = random(seed);
      let text = "";
      for (let e = 0; e < 1 + Math.floor(next() * 12); e++)
        text += `data: ${"x".repeat(Math.floor(next() * 40))}${separators[Math.floor(next() * separators.length)]}`;
      const cuts: Uint8Array[] = [];
      for (let at = 0; at < text.length; ) {
        const n = Math.floor(next() * 9);
        cuts.push(Buffer.from(text.slice(at, at + n), "latin1"));
        at += n;
      }
      const max = 8 + Math.floor(next() * 60);
      const chunks = () => source(cuts.map((c) => Uint8Array.from(c))).body;
      expect(await outcome(capEvents(chunks(), max)), `seed ${seed}`).toEqual(
        await outcome(capEventsBefore(chunks(), max)),
      );
    }
  });

  it("names the bound it refused by", async () => {
    const { body, state } = source([bytes("data: 0123456789"), bytes("0123456789"), bytes("\n\n")]);
    await expect(drain(capEvents(body, 20))).rejects.toThrow(/a single SSE event is larger than server.max_event_mb/);
    expect(state.closed).toBe(true);
  });
});

describe("capTotal", () => {
  it("refuses once the whole body passes its bound, closing the source", async () => {
    const { body, state } = source([bytes("12345"), bytes("67890"), bytes("x")]);
    const got: string[] = [];
    await expect(
      (async () => {
        for await (const c of capTotal(body, 10)) got.push(String(c));
      })(),
    ).rejects.toThrow(/the upstream answer is larger than server.max_answer_mb/);
    expect(got).toEqual(["12345", "67890"]);
    expect(state.closed).toBe(true);
  });
});
