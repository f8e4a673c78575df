/**
 * Routing end to end, resilience: the gateway in front of several "deployments" (switchable fronts over one
 * scripted mock), driven by the official SDKs: throttling, a deployment killed, context-window and other
 * fallbacks, content filtering, the loop's bounds, the health view.
 */
import OpenAI from "openai";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type MockServer, startMockServer } from "../../src/mock/server.js";
import { hotKeys } from "../../src/state/keys.js";
import { type Body, eventually, type Harness, startHarness } from "../support/gateway.js";
import { ENGINES, type Fleet, startFleet, throttled } from "../support/routing-fleet.js";
import { type SwitchUpstream, switchUpstream } from "../support/switch-upstream.js";
import { ADMIN, call } from "../support/team.js";

describe.each(ENGINES)("routing resilience on $name state", ({ state }) => {
  let f: Fleet;
  let mock: MockServer;
  let d: SwitchUpstream[] = [];
  let h: Harness;
  beforeAll(async () => {
    f = await startFleet(state);
    ({ mock, d, h } = f);
  }, 30_000);
  afterAll(async () => {
    await f?.close();
  });

  const sdk = () => new OpenAI({ apiKey: "k", baseURL: `${h.url}/v1`, maxRetries: 0 });

  describe("three deployments, one answering 429 with retry-after: 2", () => {
    const WORKERS = 16;
    it("1,000 requests from the official SDK, streamed and not, get no error; the throttled one gets none during its cooldowns", async () => {
      for (const s of d) s.hits.length = 0;
      d[1]!.mode = throttled(2);
      const client = sdk();
      let errors = 0;
      let next = 0;
      const one = async (n: number) => {
        try {
          if (n % 2 === 0) {
            const c = await client.chat.completions.create({
              model: "trio",
              messages: [{ role: "user", content: `q${n}` }],
            });
            if (!c.choices[0]?.message.content?.includes(`q${n}`)) errors++;
          } else {
            const c = await client.chat.completions
              .stream({ model: "trio", messages: [{ role: "user", content: `q${n}` }] })
              .finalChatCompletion();
            if (!c.choices[0]?.message.content?.includes(`q${n}`)) errors++;
          }
        } catch {
          errors++;
        }
      };
      await Promise.all(
        Array.from({ length: WORKERS }, async () => {
          while (next < 1000) await one(next++);
        }),
      );
      d[1]!.mode = { kind: "pass" };
      expect(errors).toBe(0);
      const hits = d[1]!.hits.map((x) => x.at).sort((a, b) => a - b);
      expect(hits.length).toBeGreaterThan(0);
      // Requests that picked d2 before its first 429 came back still arrive (a burst: at most one per
      // client worker, as each worker's next request sees the cooldown); after a burst, nothing until the
      // retry-after has passed. Counted, not timed to the millisecond: bursts are split at quiet gaps of a
      // second, each holds at most WORKERS hits, and there are no more of them than 2-second cooldowns fit.
      const bursts: number[][] = [];
      for (const at of hits) {
        const cur = bursts.at(-1);
        if (cur && at - cur.at(-1)! < 1000) cur.push(at);
        else bursts.push([at]);
      }
      for (const b of bursts) expect(b.length).toBeLessThanOrEqual(WORKERS);
      const span = hits.at(-1)! - hits[0]!;
      expect(bursts.length).toBeLessThanOrEqual(Math.ceil(span / 1500) + 1);
      // Unthrottled, it would have had a third of the traffic.
      expect(hits.length).toBeLessThan(1000 / 6);
      expect(d[0]!.hits.length + d[2]!.hits.length).toBeGreaterThanOrEqual(1000);
    }, 120_000);
  });

  describe("one deployment killed mid-run", () => {
    it("fails only the streams it was serving (with the in-stream error); the rest succeed; it returns after a probe", async () => {
      for (const s of d) s.hits.length = 0;
      // Long answers, so that streams are open when the deployment dies.
      mock.reset();
      const slow = await startMockServer({ chunkDelayMs: 15 });
      const long = "word ".repeat(60);
      // Point the three fronts at the slow mock for this test.
      const fronts = await Promise.all([1, 2, 3].map(() => switchUpstream(slow.url)));
      const h2 = await startHarness(() => ({
        ...state(),
        providers: Object.fromEntries(
          fronts.map((s, i) => [`f${i + 1}`, { type: "openai", base_url: `${s.url}/v1`, api_key: "k", api: "chat" }]),
        ),
        models: {
          trio: {
            deployments: [1, 2, 3].map((i) => ({ provider: `f${i}`, model: "gpt-4.1", name: `f${i}` })),
            routing: { retries: 2, cooldown_s: 1, allowed_fails: 1 },
          },
        },
      }));
      const c2 = new OpenAI({ apiKey: "k", baseURL: `${h2.url}/v1`, maxRetries: 0 });
      try {
        const wave = Array.from({ length: 24 }, (_, n) =>
          c2.chat.completions
            .stream({ model: "trio", messages: [{ role: "user", content: `${long} w${n}` }] })
            .finalChatCompletion(),
        );
        // Kill f2 while the wave streams (each answer takes about a second), once it holds a stream: the
        // weighted pick gives it none of the 24 one run in 16,000 (asking for 4 failed one run in 50).
        await eventually(() => fronts[1]!.hits.length >= 1 || undefined, 10_000);
        await new Promise((r) => setTimeout(r, 150));
        const openOnF2 = fronts[1]!.hits.length;
        await fronts[1]!.kill();
        const settled = await Promise.allSettled(wave);
        const rejected = settled.filter((s): s is PromiseRejectedResult => s.status === "rejected");
        const failed = rejected.length;
        expect(failed).toBeGreaterThan(0);
        // Each failed with llmux's in-stream error (the stream had begun), not a dropped connection.
        for (const r of rejected) expect(String((r.reason as Error).message)).toMatch(/upstream stream failed/);
        // Only streams served by f2 failed: at most the ones it had taken.
        expect(failed).toBeLessThanOrEqual(openOnF2);
        // From now on every request succeeds: f2 refuses connections, is retried past, then cooled down.
        const after = await Promise.allSettled(
          Array.from({ length: 20 }, (_, n) =>
            c2.chat.completions.create({ model: "trio", messages: [{ role: "user", content: `after ${n}` }] }),
          ),
        );
        expect(after.filter((s) => s.status === "rejected")).toHaveLength(0);
        // Back on its port: after the cooldown one probe goes to it, succeeds, and it takes traffic again.
        await fronts[1]!.revive();
        const before = fronts[1]!.hits.length;
        const deadline = Date.now() + 15_000;
        while (!h2.logs.some((l) => /deployment f2 recovered/.test(String(l.msg)))) {
          expect(Date.now()).toBeLessThan(deadline);
          // Each a new conversation (the same one would stay where it is).
          await c2.chat.completions.create({
            model: "trio",
            messages: [{ role: "user", content: `ping ${Date.now()}` }],
          });
          await new Promise((r) => setTimeout(r, 100));
        }
        expect(fronts[1]!.hits.length).toBeGreaterThan(before);
        expect(h2.logs.some((l) => /deployment f2 cools down/.test(String(l.msg)))).toBe(true);
      } finally {
        await h2.close();
        for (const f of fronts) await f.close();
        await slow.close();
      }
    }, 120_000);
  });

  describe("clients that hang up mid-stream", () => {
    it("say nothing of the deployment: however many, it does not cool down", async () => {
      const slow = await startMockServer({ chunkDelayMs: 20 });
      const fronts = await Promise.all([1, 2].map(() => switchUpstream(slow.url)));
      const h2 = await startHarness(() => ({
        ...state(),
        providers: Object.fromEntries(
          fronts.map((s, i) => [`g${i + 1}`, { type: "openai", base_url: `${s.url}/v1`, api_key: "k", api: "chat" }]),
        ),
        models: {
          duo: {
            deployments: [1, 2].map((i) => ({ provider: `g${i}`, model: "gpt-4.1", name: `g${i}` })),
            // One failure would cool a deployment down: a hang-up counted as one would show at once.
            routing: { retries: 1, cooldown_s: 30, allowed_fails: 1 },
          },
        },
      }));
      try {
        const client = new OpenAI({ apiKey: "k", baseURL: `${h2.url}/v1`, maxRetries: 0 });
        const long = "word ".repeat(80);
        for (let n = 0; n < 6; n++) {
          const stop = new AbortController();
          const stream = await client.chat.completions.create(
            { model: "duo", stream: true, messages: [{ role: "user", content: `${long} hang up ${n}` }] },
            { signal: stop.signal },
          );
          // The first chunk, then the client goes away (Esc in a coding tool).
          for await (const _ of stream) break;
          stop.abort();
        }
        await eventually(
          () => h2.logs.filter((l) => l.msg === "request aborted by client").length >= 6 || undefined,
          10_000,
        );
        expect(h2.logs.filter((l) => /cools down/.test(String(l.msg)))).toEqual([]);
        // Both still take traffic.
        for (const f of fronts) f.hits.length = 0;
        for (let n = 0; n < 20; n++)
          await client.chat.completions.create({ model: "duo", messages: [{ role: "user", content: `after ${n}` }] });
        expect(fronts.every((f) => f.hits.length > 0)).toBe(true);
      } finally {
        await h2.close();
        await Promise.all(fronts.map((f) => f.close()));
        await slow.close();
      }
    }, 60_000);
  });

  describe("context window exceeded on the first alias", () => {
    it("is answered by the long-context fallback, under the alias the client asked for", async () => {
      d[3]!.mode = {
        kind: "status",
        status: 400,
        body: {
          error: {
            message:
              "This model's maximum context length is 8192 tokens. However, your messages resulted in 9000 tokens.",
            type: "invalid_request_error",
            code: "context_length_exceeded",
          },
        },
      };
      try {
        const res = await fetch(`${h.url}/v1/chat/completions`, {
          method: "POST",
          headers: { "content-type": "application/json" },
          body: JSON.stringify({ model: "short", messages: [{ role: "user", content: "a long question" }] }),
        });
        const body = (await res.json()) as Body;
        expect(res.status).toBe(200);
        expect(body.model).toBe("short");
        expect(body.choices[0].message.content).toContain("a long question");
        expect(res.headers.get("llmux-route")).toMatch(/^acct5\/gpt-4\.1-long \(fallback alias long\)/);
        expect(res.headers.get("llmux-route")).toMatch(/400 context_window/);
        const line = await eventually(() => h.logs.find((l) => l.requested === "short" && l.status === 200));
        expect(line.alias).toBe("long");
        expect(line.deployment).toBe("acct5/gpt-4.1-long");
      } finally {
        d[3]!.mode = { kind: "pass" };
      }
    });
  });

  describe("context window exceeded inside a Responses stream (HTTP 200, then an error event)", () => {
    it("is caught before any byte reached the client, and the long-context fallback answers", async () => {
      // What OpenAI and Azure send: response.created, response.in_progress, error, response.failed.
      const event = (type: string, fields: object) =>
        `event: ${type}\ndata: ${JSON.stringify({ type, ...fields })}\n\n`;
      d[5]!.mode = {
        kind: "sse",
        text: [
          event("response.created", { sequence_number: 0, response: { id: "resp_w", status: "in_progress" } }),
          event("response.in_progress", { sequence_number: 1, response: { id: "resp_w", status: "in_progress" } }),
          event("error", {
            sequence_number: 2,
            error: {
              type: "invalid_request_error",
              code: "context_length_exceeded",
              message: "Your input exceeds the context window of this model. Please adjust your input and try again.",
              param: "input",
            },
          }),
          event("response.failed", { sequence_number: 3, response: { id: "resp_w", status: "failed" } }),
        ].join(""),
      };
      try {
        const before = d[4]!.hits.length;
        const stream = sdk().chat.completions.stream({
          model: "wide",
          messages: [{ role: "user", content: "a very long question" }],
        });
        const done = await stream.finalChatCompletion();
        expect(done.model).toBe("wide");
        expect(done.choices[0]!.message.content).toContain("a very long question");
        expect(d[4]!.hits.length).toBe(before + 1);
        const line = await eventually(() => h.logs.find((l) => l.requested === "wide" && l.status === 200));
        expect(line.alias).toBe("long");
      } finally {
        d[5]!.mode = { kind: "pass" };
      }
    });
  });

  describe("fallbacks: every deployment failed before answering", () => {
    it("the fallback alias answers with its own settings (thinking), under the alias the client asked for", async () => {
      d[5]!.mode = { kind: "status", status: 500, body: { error: { message: "boom", type: "server_error" } } };
      try {
        const from = mock.requests.length;
        const res = await sdk()
          .chat.completions.create({ model: "primary", messages: [{ role: "user", content: "fall back" }] })
          .withResponse();
        expect(res.data.model).toBe("primary");
        expect(res.data.choices[0]!.message.content).toContain("fall back");
        expect(res.response.headers.get("llmux-route")).toMatch(
          /^claude1\/claude-sonnet-4-5 \(fallback alias careful\); acct6\/gpt-4\.1-primary: 500 server/,
        );
        const sent = mock.requests.slice(from).filter((r) => r.path === "/v1/messages");
        expect(sent).toHaveLength(1);
        expect((sent[0]!.body as Body).thinking).toEqual({ type: "enabled", budget_tokens: 8000 });
        const line = await eventually(() => h.logs.find((l) => l.requested === "primary" && l.status === 200));
        expect([line.alias, line.provider, line.deployment]).toEqual([
          "careful",
          "claude1",
          "claude1/claude-sonnet-4-5",
        ]);
      } finally {
        d[5]!.mode = { kind: "pass" };
      }
    });

    it("a fallback's reasoning effort applies to it", async () => {
      d[5]!.mode = { kind: "status", status: 503, body: { error: { message: "busy" } } };
      try {
        const before = d[4]!.hits.length;
        const from = mock.requests.length;
        const c = await sdk().chat.completions.create({
          model: "primary-effort",
          messages: [{ role: "user", content: "think hard" }],
        });
        expect(c.model).toBe("primary-effort");
        expect(d[4]!.hits.length).toBe(before + 1);
        const sent = mock.requests.slice(from).at(-1)!.body as Body;
        expect(sent.model).toBe("o4-mini");
        expect(sent.reasoning_effort).toBe("high");
      } finally {
        d[5]!.mode = { kind: "pass" };
      }
    });
  });

  describe("content filtering is surfaced", () => {
    it("the filter's answer reaches the client; no other deployment is asked", async () => {
      const filtered = {
        kind: "status" as const,
        status: 400,
        body: {
          error: {
            message: "The response was filtered due to the prompt triggering Azure OpenAI's content management policy.",
            type: null,
            param: "prompt",
            code: "content_filter",
            status: 400,
            innererror: { code: "ResponsibleAIPolicyViolation" },
          },
        },
      };
      d[5]!.mode = filtered;
      d[6]!.mode = filtered;
      const before = d[5]!.hits.length + d[6]!.hits.length;
      try {
        const res = await fetch(`${h.url}/v1/chat/completions`, {
          method: "POST",
          headers: { "content-type": "application/json" },
          body: JSON.stringify({ model: "pairs", messages: [{ role: "user", content: "something filtered" }] }),
        });
        const body = (await res.json()) as Body;
        expect(res.status).toBe(400);
        expect(body.error.code).toBe("content_filter");
        // Both deployments would filter it: had the loop retried, the second would have been asked.
        expect(d[5]!.hits.length + d[6]!.hits.length).toBe(before + 1);
      } finally {
        d[5]!.mode = { kind: "pass" };
        d[6]!.mode = { kind: "pass" };
      }
    });
  });

  describe("GET /admin/v1/deployments", () => {
    it("shows a throttled deployment cooling down until its retry-after, the others healthy; the log says so", async () => {
      d[6]!.mode = throttled(30);
      const hits = d[6]!.hits.length;
      try {
        // Weighted 1:1: within a few requests one goes to the throttled deployment (and is retried on the other).
        for (let n = 0; n < 40 && d[6]!.hits.length === hits; n++) {
          const c = await sdk().chat.completions.create({
            model: "pairs",
            messages: [{ role: "user", content: `h${n}` }],
          });
          expect(c.model).toBe("pairs");
        }
        expect(d[6]!.hits.length).toBe(hits + 1);
        const now = Date.now();
        const res = await call(h.url, "GET", "/admin/v1/deployments", ADMIN);
        expect(res.status).toBe(200);
        const rows = res.body.data as Body[];
        const cooled = rows.find((r) => r.id === "acct7/gpt-4.1")!;
        expect(cooled.healthy).toBe(false);
        const until = Date.parse(cooled.cooling_until);
        expect(until).toBeGreaterThan(now + 25_000);
        expect(until).toBeLessThanOrEqual(now + 31_000);
        expect(cooled.window_errors).toBeGreaterThanOrEqual(1);
        expect(cooled.error_rate).toBeGreaterThan(0);
        expect(cooled.aliases).toEqual(expect.arrayContaining(["pairs", "hurried"]));
        const fine = rows.find((r) => r.id === "acct6/gpt-4.1")!;
        expect([fine.healthy, fine.cooling_until, fine.half_open]).toEqual([true, null, false]);
        // Its latency and in-flight count are written as each answer settles (just after the client has it).
        let settled: Body | undefined;
        for (let n = 0; n < 50 && !(typeof settled?.ttft_ms === "number" && settled.in_flight === 0); n++) {
          const again = await call(h.url, "GET", "/admin/v1/deployments", ADMIN);
          settled = (again.body.data as Body[]).find((r) => r.id === "acct6/gpt-4.1");
          await new Promise((r) => setTimeout(r, 50));
        }
        expect(settled!.ttft_ms).toBeGreaterThanOrEqual(0);
        expect(settled!.in_flight).toBe(0);
        expect(h.logs.some((l) => /deployment p7 cools down for 30 s: rate limited/.test(String(l.msg)))).toBe(true);
      } finally {
        d[6]!.mode = { kind: "pass" };
        await h.gateway.hot.del(hotKeys.cooling("acct7/gpt-4.1"));
      }
    });
  });

  describe("the attempt loop's bounds, end to end", () => {
    it("a client that goes away stops the loop at once: no other deployment is asked", async () => {
      d[5]!.mode = { kind: "hang" };
      d[6]!.mode = { kind: "hang" };
      const before = d[5]!.hits.length + d[6]!.hits.length;
      try {
        const ctl = new AbortController();
        const req = fetch(`${h.url}/v1/chat/completions`, {
          method: "POST",
          headers: { "content-type": "application/json" },
          body: JSON.stringify({ model: "pairs", messages: [{ role: "user", content: "never mind" }] }),
          signal: ctl.signal,
        }).catch(() => undefined);
        await eventually(() => d[5]!.hits.length + d[6]!.hits.length > before || undefined, 5_000);
        ctl.abort();
        await req;
        await new Promise((r) => setTimeout(r, 400));
        expect(d[5]!.hits.length + d[6]!.hits.length).toBe(before + 1);
      } finally {
        d[5]!.mode = { kind: "pass" };
        d[6]!.mode = { kind: "pass" };
      }
    });

    it("max_total_ms bounds it: a deployment that never answers is given up at the deadline with a 504", async () => {
      d[5]!.mode = { kind: "hang" };
      d[6]!.mode = { kind: "hang" };
      const before = d[5]!.hits.length + d[6]!.hits.length;
      try {
        const started = Date.now();
        const res = await fetch(`${h.url}/v1/chat/completions`, {
          method: "POST",
          headers: { "content-type": "application/json" },
          body: JSON.stringify({ model: "hurried", messages: [{ role: "user", content: "in time?" }] }),
        });
        const body = (await res.json()) as Body;
        expect(res.status).toBe(504);
        expect(body.error.message).toMatch(/max_total_ms \(700 ms\)/);
        // Generous: the point is that it ends near the deadline, not at the provider's own timeout.
        expect(Date.now() - started).toBeLessThan(5_000);
        expect(d[5]!.hits.length + d[6]!.hits.length).toBe(before + 1);
      } finally {
        d[5]!.mode = { kind: "pass" };
        d[6]!.mode = { kind: "pass" };
      }
    });
  });
});
