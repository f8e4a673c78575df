/**
 * logData (src/log/logger.ts): the request's line serialised by the engine's JSON.stringify must be the line pino
 * itself writes for the same data, pino being the oracle: same fields, same values, same order of the top-level
 * fields, level and time first and msg last; loggers not made by jsonLogger, and data JSON cannot serialise,
 * go through pino.
 */
import { pino } from "pino";
import { describe, expect, it } from "vitest";
import { isoTime, jsonLogger, type Logger, logData } from "../../src/log/logger.js";

function capture(): { lines: string[]; write(s: string): void } {
  const lines: string[] = [];
  return { lines, write: (s: string) => void lines.push(s) };
}

/** The same logger twice: jsonLogger's, and pino with the same options (the reference). */
function pair(level = "info") {
  const ours = capture();
  const theirs = capture();
  const a = jsonLogger(level, ours);
  const b = pino({ level, base: undefined, timestamp: isoTime }, theirs);
  return { a, b, ours, theirs };
}

const LINE = {
  req_id: "req_1",
  client_request_id: undefined,
  method: "POST",
  path: '/v1/chat/completions?q="quoted"\\back',
  status: 200,
  outcome: "ok",
  reason: "line\nbreak\ttab \u0001 control, unicode é ✓ 😀",
  stream: false,
  latency_ms: 12.34,
  ttfb_ms: Number.NaN,
  overhead_ms: Number.POSITIVE_INFINITY,
  tokens: { input: 10, output: 2, cache_read: undefined, estimated: true },
  warnings: [{ code: "w", message: "m" }],
  decisions: ["a", { b: [1, null, "c"] }],
  empty: {},
};

const noTime = (line: string) => {
  const o = JSON.parse(line) as Record<string, unknown>;
  expect(typeof o.time).toBe("string");
  delete o.time;
  return o;
};

describe("logData", () => {
  it("writes the line pino writes for the same data, at each level", () => {
    const { a, b, ours, theirs } = pair("debug");
    for (const level of ["debug", "info", "warn"] as const) {
      logData(a, level, LINE, 'request "x"');
      b[level](LINE, 'request "x"');
    }
    expect(ours.lines.length).toBe(3);
    for (let i = 0; i < 3; i++) {
      expect(ours.lines[i]!.endsWith("}\n")).toBe(true);
      const got = noTime(ours.lines[i]!);
      const want = noTime(theirs.lines[i]!);
      expect(got).toEqual(want);
      expect(Object.keys(got)).toEqual(Object.keys(want));
      expect(Object.keys(got)[0]).toBe("level");
      expect(Object.keys(got).at(-1)).toBe("msg");
    }
    expect(noTime(ours.lines[0]!).level).toBe(20);
    expect(noTime(ours.lines[2]!).level).toBe(40);
  });

  it("writes an object with no fields as pino does", () => {
    const { a, b, ours, theirs } = pair();
    logData(a, "info", {}, "m");
    b.info({}, "m");
    expect(noTime(ours.lines[0]!)).toEqual(noTime(theirs.lines[0]!));
  });

  it("leaves data JSON cannot serialise, and other loggers, to pino", () => {
    const { a, ours } = pair();
    const cyclic: Record<string, unknown> = { n: 1 };
    cyclic.self = cyclic;
    logData(a, "info", cyclic, "cyclic");
    expect(noTime(ours.lines[0]!)).toMatchObject({ n: 1, msg: "cyclic" });
    const seen: unknown[][] = [];
    const other = { info: (...args: unknown[]) => void seen.push(args) } as unknown as Logger;
    logData(other, "info", { n: 2 }, "other");
    expect(seen).toEqual([[{ n: 2 }, "other"]]);
  });
});
