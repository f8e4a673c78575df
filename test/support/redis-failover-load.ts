import { randomBytes } from "node:crypto";
import { expect } from "vitest";
import type { ResilientState } from "../../src/state/resilient.js";
import { type Harness, startHarness } from "./gateway.js";
import { ADMIN, call, MASTER } from "./team.js";

/**
 * A gateway on a Redis topology's `state.url` (state.on_failure: degrade), with minted keys and a load of
 * requests that runs while the test fails the primary over: each request bounded (a hang is a failure),
 * every answer kept.
 */
export interface FailoverRig {
  readonly h: Harness;
  readonly prefix: string;
  mint(limits: object): Promise<string>;
  /** One chat request with `key`: its status (0: no answer within 15 s) and error text. */
  ask(key: string): Promise<{ status: number; error?: string }>;
  /** Requests with `key`, `workers` at a time, until `stop` is called; resolves with every answer. */
  load(key: string, workers?: number): { stop(): Promise<{ status: number; error?: string }[]> };
  /** The gateway's hot state answers from Redis (not from its own memory) again. */
  shared(): boolean;
  /** How often the gateway has logged that Redis was unreachable (each time it answered from its memory). */
  degradations(): number;
  close(): Promise<void>;
}

/** `state` is merged over the rig's own state settings (state.on_failure: degrade, timeout_ms 500). */
export async function failoverRig(stateUrl: string, state: object = {}): Promise<FailoverRig> {
  const prefix = `llmux-failover:${process.pid}:${randomBytes(4).toString("hex")}:`;
  const h = await startHarness(() => ({
    state: { url: stateUrl, prefix, on_failure: "degrade", timeout_ms: 500, ...state },
    admin: { keys: [ADMIN] },
    secrets: { master_key: MASTER },
  }));
  const mint = async (limits: object) => {
    const r = await call(h.url, "POST", "/admin/v1/keys", ADMIN, {
      name: `f-${randomBytes(4).toString("hex")}`,
      limits,
    });
    expect(r.status, JSON.stringify(r.body)).toBe(201);
    return r.body.key as string;
  };
  const ask = async (key: string) => {
    try {
      const r = await fetch(`${h.url}/v1/chat/completions`, {
        method: "POST",
        headers: { "content-type": "application/json", authorization: `Bearer ${key}` },
        body: JSON.stringify({ model: "via-openai-chat", messages: [{ role: "user", content: "hi" }] }),
        signal: AbortSignal.timeout(15_000),
      });
      const text = await r.text();
      return r.status === 200 ? { status: 200 } : { status: r.status, error: text.slice(0, 300) };
    } catch (err) {
      return { status: 0, error: (err as Error).message };
    }
  };
  const load = (key: string, workers = 4) => {
    let going = true;
    const answers: { status: number; error?: string }[] = [];
    const runs = Array.from({ length: workers }, async () => {
      while (going) answers.push(await ask(key));
    });
    return {
      async stop() {
        going = false;
        await Promise.all(runs);
        return answers;
      },
    };
  };
  const shared = () => !(h.gateway.hot as ResilientState).isDegraded;
  const degradations = () => h.logs.filter((l) => /^Redis \(state\.url\) is unreachable/.test(l.msg ?? "")).length;
  return { h, prefix, mint, ask, load, shared, degradations, close: () => h.close() };
}
