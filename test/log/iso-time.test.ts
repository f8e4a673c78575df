/** The log line's timestamp, formatted once per second: the same text as pino's own isoTime at every instant. */
import { pino } from "pino";
import { describe, expect, it } from "vitest";
import { isoTime } from "../../src/log/logger.js";

describe("the log line's time", () => {
  it("is pino's isoTime, millisecond by millisecond, across seconds, days and years", () => {
    const starts = [Date.UTC(2026, 10, 25, 9, 50, 11, 990), Date.UTC(2026, 11, 31, 23, 59, 59, 950), 0, 1_000];
    for (const start of starts)
      for (let t = start; t < start + 120; t++) {
        const want = `,"time":"${new Date(t).toISOString()}"`;
        expect(isoTime(t)).toBe(want);
      }
    // Back in time too (a clock set back): the second is formatted again.
    expect(isoTime(Date.UTC(2020, 0, 1, 0, 0, 0, 7))).toBe(',"time":"2020-01-01T00:00:00.007Z"');
  });

  it("is what a logger writes", () => {
    const lines: string[] = [];
    const log = pino({ base: undefined, timestamp: isoTime }, { write: (l: string) => void lines.push(l) });
    log.info("x");
    const at = Date.parse((JSON.parse(lines[0]!) as { time: string }).time);
    expect(Math.abs(at - Date.now())).toBeLessThan(60_000);
  });
});
