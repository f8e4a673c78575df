/** The per-request log line: written at the level its outcome calls for, and not even built when that level is off. */
import { pino } from "pino";
import { describe, expect, it } from "vitest";
import { logLine } from "../../src/pipeline/settle-log-line.js";
import { newRecord, type RequestRecord } from "../../src/request/record.js";

function capture(level: string) {
  const lines: Record<string, unknown>[] = [];
  const logger = pino({ level, base: undefined }, { write: (s: string) => lines.push(JSON.parse(s)) });
  return { logger, lines };
}

/** A settled record that counts how often the line's fields are read. */
function record(over: Partial<RequestRecord>): { rec: RequestRecord; reads: () => number } {
  const rec = { ...newRecord("r1", "POST", "/v1/messages"), status: 200, provider: "anth", ...over };
  let reads = 0;
  Object.defineProperty(rec, "model", {
    get: () => {
      reads++;
      return "claude-sonnet-4-5";
    },
    enumerable: true,
  });
  return { rec, reads: () => reads };
}

describe("request log line", () => {
  it("writes an answered request at info, a failed one at warn, with its fields", () => {
    const { logger, lines } = capture("info");
    logLine(logger, record({}).rec);
    logLine(logger, record({ status: 502 }).rec);
    expect(lines.map((l) => [l.level, l.msg, l.status, l.model, l.path])).toEqual([
      [30, "request", 200, "claude-sonnet-4-5", "/v1/messages"],
      [40, "request failed", 502, "claude-sonnet-4-5", "/v1/messages"],
    ]);
  });

  it("does not build the line of a level the logger does not write", () => {
    const warnOnly = capture("warn");
    const ok = record({});
    logLine(warnOnly.logger, ok.rec);
    expect(warnOnly.lines).toEqual([]);
    expect(ok.reads()).toBe(0);
    const failed = record({ status: 500 });
    logLine(warnOnly.logger, failed.rec);
    expect(warnOnly.lines).toHaveLength(1);
    expect(failed.reads()).toBeGreaterThan(0);

    // A quiet request (a client's background ping) is a debug line: nothing at the default level…
    const info = capture("info");
    const quiet = record({ quiet: true });
    logLine(info.logger, quiet.rec);
    expect(info.lines).toEqual([]);
    expect(quiet.reads()).toBe(0);
    // …and written at debug.
    const debug = capture("debug");
    logLine(debug.logger, record({ quiet: true }).rec);
    expect(debug.lines.map((l) => [l.level, l.msg])).toEqual([[20, "request"]]);
  });
});
