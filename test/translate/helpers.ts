import { readFileSync } from "node:fs";
import { join } from "node:path";
import { isDeepStrictEqual } from "node:util";
import type { DecodeOptions, ReasoningWrapper, ResponseOptions } from "../../src/dialects/types.js";
import { ResponseCollector } from "../../src/ir/collect.js";
import type { Dialect, Json, JsonObject, ReasoningPart, Response, StreamEvent, Usage } from "../../src/ir/types.js";
import { parseSseText } from "../../src/sse/parser.js";
import { codecs } from "../../src/translate/codecs.js";
import { responseEvents } from "../../src/translate/replay.js";

export const UPSTREAM_DIR = join(import.meta.dirname, "../../../shared/fixtures/upstream-streams");

/** A JSON-BODY fixture (error bodies, the Azure non-stream body). */
export function jsonFixture(file: string): Json {
  return JSON.parse(readFileSync(join(UPSTREAM_DIR, file), "utf8")) as Json;
}

export function textFixture(file: string): string {
  return readFileSync(join(UPSTREAM_DIR, file), "utf8");
}

/** Upstream body of dialect `from` → client body of dialect `to`. */
export function translate(
  from: Dialect,
  to: Dialect,
  body: JsonObject,
  opts: { decode?: DecodeOptions; encode?: ResponseOptions } = {},
): { value: JsonObject; warnings: { code: string }[]; ir: Response } {
  const ir = codecs[from].decodeResponse(body, opts.decode);
  const { value, warnings } = codecs[to].encodeResponse(ir, opts.encode);
  return { value, warnings, ir };
}

/** The gateway's opaque envelope for reasoning a client must echo back (a stand-in for the real one). */
export function envelope(part: ReasoningPart, target: Dialect): string {
  const state = {
    text: part.text,
    signature: part.signature ?? null,
    redacted: part.redacted ?? null,
    encrypted: part.encrypted ?? null,
  };
  return `llmux1.${target}.${Buffer.from(JSON.stringify(state)).toString("base64url")}`;
}

/** A wrapReasoning option that records its calls. */
export function recordingWrapper(): { wrap: ReasoningWrapper; calls: { part: ReasoningPart; target: Dialect }[] } {
  const calls: { part: ReasoningPart; target: Dialect }[] = [];
  return {
    calls,
    wrap: (part, target) => {
      calls.push({ part, target });
      return envelope(part, target);
    },
  };
}

/** Asymmetric matcher: a string holding JSON equal to `expected` (key order and whitespace may differ, §5.2). */
export function jsonText(expected: Json) {
  return {
    $$typeof: Symbol.for("jest.asymmetricMatcher"),
    asymmetricMatch(actual: unknown): boolean {
      if (typeof actual !== "string") return false;
      try {
        return isDeepStrictEqual(JSON.parse(actual), expected);
      } catch {
        return false;
      }
    },
    toString: () => "JsonText",
    toAsymmetricMatcher: () => `JsonText<${JSON.stringify(expected)}>`,
  };
}

/** Walks a JSON value by keys / indexes (test convenience; returns undefined when the path is missing). */
export function dig(value: unknown, ...path: (string | number)[]): unknown {
  let cur = value;
  for (const key of path) {
    if (cur === null || typeof cur !== "object") return undefined;
    cur = (cur as Record<string | number, unknown>)[key];
  }
  return cur;
}

/** The events of an SSE text (event name + parsed data), for assertions on encoded streams. */
export function sseEvents(text: string): { event: string | undefined; data: unknown }[] {
  return parseSseText(text).map((e) => ({
    event: e.event,
    data: e.data === "[DONE]" ? "[DONE]" : (JSON.parse(e.data) as unknown),
  }));
}

/** IR events → dialect `d` SSE text. */
export function encodeStream(d: Dialect, events: StreamEvent[], opts?: ResponseOptions): string {
  const enc = codecs[d].createEncoder(opts);
  let text = "";
  for (const e of events) {
    enc.write(e);
    text += enc.take();
  }
  return text + enc.take();
}

/** Dialect `d` SSE text → collected Response (or the error the stream ended with). */
export function decodeStream(d: Dialect, text: string, opts?: DecodeOptions): ResponseCollector {
  const dec = codecs[d].createDecoder(opts);
  const collector = new ResponseCollector();
  for (const ev of parseSseText(text)) dec.event(ev, collector.sink);
  dec.end(collector.sink);
  return collector;
}

/** responseEvents(res) → encoder(d) → SSE → decoder(d) → collector. */
export function streamRoundTrip(d: Dialect, res: Response, opts?: ResponseOptions): ResponseCollector {
  return decodeStream(d, encodeStream(d, responseEvents(res), opts));
}

/** Usage with every counter spelled out (a dialect that always reports a counter reports 0 for "none"). */
export function fullUsage(u: Usage | undefined): Usage | undefined {
  if (!u) return undefined;
  return {
    inputTokens: u.inputTokens,
    outputTokens: u.outputTokens,
    cacheReadTokens: u.cacheReadTokens ?? 0,
    cacheWriteTokens: u.cacheWriteTokens ?? 0,
    reasoningTokens: u.reasoningTokens ?? 0,
  };
}
