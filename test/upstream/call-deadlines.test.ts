import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { TimerWheel } from "../../src/http/timer-wheel.js";
import type { OutgoingCall, Provider } from "../../src/providers/types.js";
import { callUpstream, UpstreamFailure, UpstreamPool } from "../../src/upstream/call.js";
import { abortListeners, fakeProvider } from "../support/upstream-fakes.js";

/**
 * The deadlines of one upstream call live on the pool's timer wheel (src/http/timer-wheel.ts): a provider's
 * last step (its credentials) that never ends, an upstream that never answers, and a client that goes away;
 * none leaves anything on the wheel or on the client's signal.
 */

const provider = (timeoutMs: number, prepareCall?: Provider["prepareCall"]) =>
  fakeProvider({ name: "slow", dialect: "anthropic", url, timeoutMs, prepareCall });

let upstream: Server;
let url: string;
beforeAll(async () => {
  // Reads the request, never answers.
  upstream = createServer((req) => req.resume());
  await new Promise<void>((r) => upstream.listen(0, "127.0.0.1", r));
  url = `http://127.0.0.1:${(upstream.address() as AddressInfo).port}/v1/messages`;
});
afterAll(async () => {
  upstream.closeAllConnections();
  await new Promise<void>((r) => upstream.close(() => r()));
});

async function failureOf(p: Promise<unknown>): Promise<unknown> {
  try {
    await p;
  } catch (err) {
    return err;
  }
  throw new Error("the call did not fail");
}

describe("an upstream call's deadlines on the timer wheel", () => {
  it("a provider's credentials that never come: a 504 after its timeout, nothing left behind", async () => {
    const wheel = new TimerWheel(20);
    const pool = Object.assign(new UpstreamPool(), { wheel });
    const never = (_call: OutgoingCall, _signal: AbortSignal) => new Promise<OutgoingCall>(() => undefined);
    const signal = new AbortController().signal;
    const started = performance.now();
    const err = await failureOf(callUpstream(pool, provider(150, never), { url, headers: {} }, "{}", signal));
    expect(err).toBeInstanceOf(UpstreamFailure);
    expect((err as UpstreamFailure).info).toMatchObject({ status: 504, kind: "timeout" });
    expect((err as UpstreamFailure).message).toMatch(/slow: its credentials did not come in time/);
    expect(performance.now() - started).toBeGreaterThanOrEqual(149);
    expect(wheel.pending).toBe(0);
    expect(abortListeners(signal)).toBe(0);
    pool.close();
  });

  it("an upstream that never answers: a 504 naming it after its timeout, nothing left behind", async () => {
    const wheel = new TimerWheel(20);
    const pool = Object.assign(new UpstreamPool(), { wheel });
    const signal = new AbortController().signal;
    const started = performance.now();
    const err = await failureOf(callUpstream(pool, provider(150), { url, headers: {} }, "{}", signal));
    expect((err as UpstreamFailure).info).toMatchObject({ status: 504, kind: "timeout" });
    expect((err as UpstreamFailure).message).toMatch(/upstream slow \(127\.0\.0\.1:\d+\) did not answer in time/);
    expect(performance.now() - started).toBeGreaterThanOrEqual(149);
    expect(wheel.pending).toBe(0);
    expect(abortListeners(signal)).toBe(0);
    pool.close();
  });

  it("a client that goes away: the call ends at once with the abort, not at its deadline", async () => {
    const wheel = new TimerWheel(20);
    const pool = Object.assign(new UpstreamPool(), { wheel });
    const client = new AbortController();
    const call = failureOf(callUpstream(pool, provider(60_000), { url, headers: {} }, "{}", client.signal));
    await new Promise((r) => setTimeout(r, 50));
    expect(wheel.pending).toBe(1);
    expect(abortListeners(client.signal)).toBe(1);
    client.abort();
    const err = (await call) as Error & { code?: string };
    expect(err).not.toBeInstanceOf(UpstreamFailure);
    expect(err.name).toBe("AbortError");
    expect(wheel.pending).toBe(0);
    expect(abortListeners(client.signal)).toBe(0);
    pool.close();
  });

  it("a client already gone: the call is not made", async () => {
    const pool = Object.assign(new UpstreamPool(), { wheel: new TimerWheel(20) });
    const err = (await failureOf(
      callUpstream(pool, provider(60_000), { url, headers: {} }, "{}", AbortSignal.abort()),
    )) as Error;
    expect(err.name).toBe("AbortError");
    expect(pool.wheel.pending).toBe(0);
    pool.close();
  });
});
