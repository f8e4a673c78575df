/**
 * The fuzz suite's short run (fuzz/: `npm run fuzz -- --minutes N` for long runs): a few hundred generated
 * inputs per decoder, from a fixed seed, each answered as the caller turns it into a 4xx (or, for an upstream's
 * answer, a 502) and never thrown past it. A failing input is shrunk by fast-check and printed.
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import type { Target } from "../../fuzz/target.js";
import {
  contentCodings,
  inboundDecoders,
  mcpResults,
  telemetryExports,
  upstreamAnswers,
  upstreamStreams,
} from "../../fuzz/targets/decoders.js";
import { largeBodies } from "../../fuzz/targets/large-bodies.js";
import { fetchedPages, searchAnswers } from "../../fuzz/targets/search.js";
import { JSON_VALUE_LIMIT } from "../../src/http/json-containers.js";

const SEED = 20_261_124;

async function holds<T>(t: Target<T>, numRuns: number, examples: T[] = []): Promise<void> {
  await fc.assert(
    fc.asyncProperty(t.input, async (input) => {
      expect(await t.run(input)).toBeUndefined();
    }),
    { seed: SEED, numRuns, endOnFailure: true, examples: examples.map((e) => [e] as [T]) },
  );
}

/** JSON text of more values than a body may hold (JSON_VALUE_LIMIT), in two arrays: tried in every short run. */
const pastValues = (wrap: (values: string) => string) =>
  wrap(`[${"0,".repeat(JSON_VALUE_LIMIT / 2)}0],[${"0,".repeat(JSON_VALUE_LIMIT / 2)}0]`);

describe("fuzz: the decoders", () => {
  it("client request bodies of every dialect decode or are refused naming the field", () =>
    holds(inboundDecoders, 300));
  it("upstream streams of every dialect, mutated and cut anywhere, translate to every client dialect", () =>
    holds(upstreamStreams, 300));
  it("whole upstream answers of every dialect, mutated, decode and encode for every client dialect", () =>
    holds(upstreamAnswers, 300, [
      {
        up: "openai-chat",
        body: pastValues((v) => `{"id":"c","object":"chat.completion","choices":[],"x":[${v}]}`),
      },
    ]));
  it("content-coding stacks, lies and bombs inflate within the cap or are refused", () => holds(contentCodings, 150));
  it("OTLP exports (protobuf and JSON, compressed) are stamped or refused", () =>
    holds(telemetryExports, 150, [
      {
        raw: Buffer.from(pastValues((v) => `{"resourceSpans":[{"scopeSpans":[${v}]}]}`)),
        json: true,
        coding: "",
        signal: "traces",
      },
    ]));
  it("large request bodies, parsed in pieces, read to the whole text's value or are refused in its words", () =>
    holds(largeBodies, 150));
  it("MCP results are bounded, and a secret never survives scrubbing", () => holds(mcpResults, 200));
  it("search providers' answers decode to http(s) hits within bounds, or are refused as WebToolErrors", () =>
    holds(searchAnswers, 300));
  it("fetched HTML pages, mutated, always become text", () => holds(fetchedPages, 200));
});
