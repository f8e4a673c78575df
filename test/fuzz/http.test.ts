/**
 * The fuzz suite's short run over HTTP and the WebSocket (fuzz/: `npm run fuzz -- --minutes N` for long runs):
 * mutated bodies on every inbound route, content-coding stacks, mutated upstream answers relayed to every client
 * dialect, Responses WebSocket frames. No 5xx llmux caused, every answer ends, nothing thrown past the gateway.
 */
import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type FuzzGateway, startFuzzGateway } from "../../fuzz/gateway.js";
import type { Target } from "../../fuzz/target.js";
import { httpTargets } from "../../fuzz/targets/http.js";

const SEED = 20_261_124;

describe("fuzz: over HTTP and the WebSocket", () => {
  let gw: FuzzGateway;
  let targets: Map<string, Target<never>>;
  beforeAll(async () => {
    gw = await startFuzzGateway();
    targets = new Map(httpTargets(gw).map((t) => [t.name, t]));
  });
  afterAll(() => gw.close());

  const holds = async (name: string, numRuns: number) => {
    const t = targets.get(name)!;
    await fc.assert(
      fc.asyncProperty(t.input, async (input) => {
        expect(await t.run(input)).toBeUndefined();
      }),
      { seed: SEED, numRuns, endOnFailure: true },
    );
    expect(gw.errors).toEqual([]);
  };

  it("mutated bodies on every inbound route are answered below 500", () => holds("http-inbound", 60), 60_000);
  it("bodies under content-coding stacks are answered below 500", () => holds("http-content-codings", 30), 60_000);
  it("mutated upstream answers never make llmux fail itself", () => holds("http-upstream-answers", 40), 60_000);
  it(
    "Responses WebSocket frames are each answered, never with an internal error",
    () => holds("websocket-frames", 15),
    60_000,
  );
});
