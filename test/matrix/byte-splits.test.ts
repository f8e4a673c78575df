/**
 * Every upstream stream of the scenario matrix, fed whole, in 1-byte chunks, and split in two at every byte
 * offset, yields byte-identical translated output for each client dialect. (The clock is pinned: the
 * output carries timestamps.) One parser and decoder feed every client encoder, as one translator per client
 * would, at a fraction of the cost.
 */
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import type { ToolMapping } from "../../src/dialects/types.js";
import { DIALECTS, type Dialect, type StreamEvent } from "../../src/ir/types.js";
import { type SseEvent, SseParser } from "../../src/sse/parser.js";
import { codecs, StreamTranslator } from "../../src/translate/index.js";
import { SCENARIOS, toolsFor, upstreamStream } from "../support/scenarios.js";

beforeAll(() => {
  vi.useFakeTimers({ toFake: ["Date"] });
  vi.setSystemTime(new Date("2026-11-21T12:00:00Z"));
});
afterAll(() => {
  vi.useRealTimers();
});

function translateAll(upstream: Dialect, tools: ToolMapping | undefined, chunks: Uint8Array[]): string[] {
  const parser = new SseParser();
  const decoder = codecs[upstream].createDecoder({ tools });
  const encoders = DIALECTS.map(() => null).map((_, i) => codecs[DIALECTS[i]!].createEncoder({ includeUsage: true }));
  const out = DIALECTS.map(() => "");
  const sink = (e: StreamEvent) => {
    for (const enc of encoders) enc.write(e);
  };
  const onEvent = (ev: SseEvent) => decoder.event(ev, sink);
  const drain = () =>
    encoders.forEach((enc, i) => {
      out[i] += enc.take();
    });
  for (const c of chunks) {
    parser.push(c, onEvent);
    drain();
  }
  parser.end(onEvent);
  decoder.end(sink);
  drain();
  return out;
}

describe.each(SCENARIOS)("$name", (s) => {
  for (const upstream of DIALECTS) {
    it(`${upstream} upstream: identical output for every split`, () => {
      const bytes = Buffer.from(upstreamStream(s, upstream), "utf8");
      const tools = toolsFor(s, upstream);
      const whole = translateAll(upstream, tools, [bytes]);
      // The fan-out is the same as three independent translators.
      expect(whole).toEqual(
        DIALECTS.map((client) => {
          const t = new StreamTranslator(upstream, client, { decode: { tools }, encode: { includeUsage: true } });
          return t.push(bytes) + t.end();
        }),
      );
      for (const out of whole) expect(out.length).toBeGreaterThan(0);
      expect(
        translateAll(
          upstream,
          tools,
          Array.from(bytes, (b) => Uint8Array.of(b)),
        ),
      ).toEqual(whole);
      for (let i = 1; i < bytes.length; i++) {
        const split = translateAll(upstream, tools, [bytes.subarray(0, i), bytes.subarray(i)]);
        if (split.some((text, k) => text !== whole[k])) expect(split, `split at byte ${i}`).toEqual(whole);
      }
    });
  }
});
