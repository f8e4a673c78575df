/**
 * Routing end to end: the gateway in front of three "deployments" (switchable fronts over one scripted
 * mock), driven by the official SDKs and by recorded client bodies.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import OpenAI from "openai";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type MockServer, startMockServer } from "../../src/mock/server.js";
import { type Body, eventually, type Harness, startHarness } from "../support/gateway.js";
import { type SwitchUpstream, switchUpstream } from "../support/switch-upstream.js";

const FIXTURES = join(import.meta.dirname, "../../../shared/fixtures");

let mock: MockServer;
let d: SwitchUpstream[] = [];
let h: Harness;

const throttled = (seconds: number) => ({
  kind: "status" as const,
  status: 429,
  headers: { "retry-after": String(seconds) },
  body: { error: { message: "Rate limit reached", type: "rate_limit_error", code: "rate_limit_exceeded" } },
});

beforeAll(async () => {
  mock = await startMockServer({ chunkDelayMs: 0 });
  d = await Promise.all([1, 2, 3, 4, 5].map(() => switchUpstream(mock.url)));
  const providers = Object.fromEntries(
    d.map((s, i) => [`acct${i + 1}`, { type: "openai", base_url: `${s.url}/v1`, api_key: `k${i + 1}`, api: "chat" }]),
  );
  const three = [1, 2, 3].map((i) => ({ provider: `acct${i}`, model: "gpt-4.1", name: `d${i}` }));
  h = await startHarness(() => ({
    providers: {
      ...providers,
      resp1: { type: "openai", base_url: `${d[0]!.url}/v1`, api_key: "r1", api: "responses" },
      resp2: { type: "openai", base_url: `${d[1]!.url}/v1`, api_key: "r2", api: "responses" },
    },
    models: {
      trio: { deployments: three, routing: { retries: 2, cooldown_s: 1, allowed_fails: 2 } },
      sticky: { deployments: three, routing: { retries: 2, cooldown_s: 30 } },
      short: { provider: "acct4", model: "gpt-small-window", context_window_fallbacks: ["long"] },
      long: { provider: "acct5", model: "gpt-4.1-long" },
      capped: {
        deployments: [
          { provider: "acct1", model: "gpt-4.1-capped", name: "c1", rpm: 3 },
          { provider: "acct2", model: "gpt-4.1-capped", name: "c2", weight: 0.001 },
        ],
      },
      pair: {
        deployments: [
          { provider: "resp1", model: "gpt-5", name: "account-a" },
          { provider: "resp2", model: "gpt-5", name: "account-b" },
        ],
      },
    },
  }));
}, 30_000);

afterAll(async () => {
  await h?.close();
  for (const s of d) await s.close();
  await mock?.close();
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
      // Kill f2 while the wave streams (each answer takes about a second).
      await eventually(() => fronts[1]!.hits.length >= 4 || undefined, 10_000);
      await new Promise((r) => setTimeout(r, 150));
      const openOnF2 = fronts[1]!.hits.length;
      await fronts[1]!.kill();
      const settled = await Promise.allSettled(wave);
      const failed = settled.filter((s) => s.status === "rejected").length;
      expect(failed).toBeGreaterThan(0);
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

describe("affinity: a conversation stays on one deployment while it is healthy", () => {
  const read = (p: string) => JSON.parse(readFileSync(join(FIXTURES, p), "utf8")) as Body;
  const cases: { name: string; path: string; body: Body; headers?: Record<string, string> }[] = [
    {
      name: "Claude Code",
      path: "/v1/messages",
      ...(() => {
        const f = read("real-clients/claude-07-POST__v1_messages_stream_tools.json");
        return { body: f.body, headers: { "x-claude-code-session-id": f.headers["x-claude-code-session-id"] } };
      })(),
    },
    {
      name: "Codex",
      path: "/v1/responses",
      ...(() => {
        const f = read("real-clients/codex-responses-10-POST__v1_responses_stream_tools.json");
        return { body: f.body, headers: { "session-id": f.headers["session-id"] } };
      })(),
    },
    {
      name: "OpenCode",
      path: "/v1/chat/completions",
      ...(() => {
        const f = read("real-clients/opencode-chat-21-POST__v1_chat_completions_stream_tools.json");
        return { body: f.body, headers: { "x-session-affinity": f.headers["x-session-affinity"] } };
      })(),
    },
    {
      name: "Cursor",
      path: "/v1/chat/completions",
      body: read("cursor-2026/litellm__cursor-chat-body-mixed-tools-flat-custom-toolchoice__request.json").body,
    },
  ];

  async function turn(c: (typeof cases)[number], n: number): Promise<string> {
    const body = { ...c.body, model: "sticky", stream: false };
    // Later turns: the same conversation, grown by one exchange (the first messages stay the same).
    const res = await fetch(`${h.url}${c.path}`, {
      method: "POST",
      headers: { "content-type": "application/json", ...c.headers },
      body: JSON.stringify(body),
    });
    await res.text();
    expect(res.status, `${c.name} turn ${n}`).toBe(200);
    return (res.headers.get("llmux-route") ?? "").split(";")[0]!;
  }

  it.each(cases)("$name: 20 turns on one deployment; moved when it cools down, then stays", async (c) => {
    const served = new Set<string>();
    for (let n = 0; n < 20; n++) served.add(await turn(c, n));
    expect(served.size).toBe(1);
    const [home] = [...served];
    const index = Number(home!.slice(1)) - 1;
    d[index]!.mode = throttled(30);
    try {
      const moved = new Set<string>();
      for (let n = 0; n < 6; n++) moved.add(await turn(c, 20 + n));
      expect(moved.size).toBe(1);
      expect(moved.has(home!)).toBe(false);
    } finally {
      d[index]!.mode = { kind: "pass" };
      // Leave no cooldown behind for the next case.
      await h.gateway.hot.del(`cool:acct${index + 1}/gpt-4.1`);
    }
  });
});

describe("a deployment's declared quota", () => {
  it("rpm: the capped deployment gets exactly its quota, the rest go to the other one, none fails", async () => {
    // The window slides: a run across a minute's edge would carry part of the count (not a timing check).
    const intoMinute = Date.now() % 60_000;
    if (intoMinute > 55_000) await new Promise((r) => setTimeout(r, 60_500 - intoMinute));
    for (const s of d) s.hits.length = 0;
    const client = sdk();
    for (let n = 0; n < 10; n++) {
      const c = await client.chat.completions.create({
        model: "capped",
        messages: [{ role: "user", content: `quota ${n}` }],
      });
      expect(c.model).toBe("capped");
    }
    // By weight c1 would take nearly all ten; its rpm of 3 passes the other seven to c2.
    expect(d[0]!.hits).toHaveLength(3);
    expect(d[1]!.hits).toHaveLength(7);
  });
});

describe("previous_response_id across two deployments of different accounts", () => {
  it("always goes to the deployment that produced the response", async () => {
    const client = sdk();
    const first = await client.responses.create({ model: "pair", input: "Turn 0", store: true });
    let prev = first.id;
    const served = new Set<string>();
    for (let n = 1; n <= 10; n++) {
      const res = await fetch(`${h.url}/v1/responses`, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({ model: "pair", input: `Turn ${n}`, previous_response_id: prev, store: true }),
      });
      const body = (await res.json()) as Body;
      expect(res.status).toBe(200);
      served.add((res.headers.get("llmux-route") ?? "").split(";")[0]!);
      prev = body.id;
    }
    // Ten turns, each a fair coin between two deployments were it not bound: all on one.
    expect(served.size).toBe(1);
  });
});

describe("reasoning state of one account is never sent to another", () => {
  it("a Responses conversation moved off its cooled account loses its encrypted reasoning items, not its turn", async () => {
    const headers = { "content-type": "application/json", "x-session-affinity": `reasoning-${Date.now()}` };
    const post = (input: unknown) =>
      fetch(`${h.url}/v1/responses`, {
        method: "POST",
        headers,
        body: JSON.stringify({ model: "pair", input, store: false }),
      });
    const r0 = await post("Turn 0");
    await r0.text();
    const home = (r0.headers.get("llmux-route") ?? "").split(";")[0]!;
    const index = home === "account-a" ? 0 : 1;
    const other = index === 0 ? "account-b" : "account-a";
    d[index]!.mode = throttled(30);
    const from = mock.requests.length;
    try {
      const input = [
        { role: "user", content: "Turn 0" },
        { type: "reasoning", id: "rs_home", summary: [], encrypted_content: "gAAAA-readable-only-by-home" },
        { role: "assistant", content: "Answer 0" },
        { role: "user", content: "Turn 1" },
      ];
      const r1 = await post(input);
      const body = (await r1.json()) as Body;
      expect(r1.status).toBe(200);
      expect(body.model).toBe("pair");
      expect((r1.headers.get("llmux-route") ?? "").split(";")[0]).toBe(other);
      const sent = mock.requests.slice(from).filter((r) => r.path.endsWith("/responses"));
      expect(sent).toHaveLength(1);
      const items = (sent[0]!.body as Body).input as Body[];
      expect(items.map((i) => i.type ?? i.role)).toEqual(["user", "assistant", "user"]);
      expect(sent[0]!.raw).not.toContain("readable-only-by-home");
    } finally {
      d[index]!.mode = { kind: "pass" };
      await h.gateway.hot.del(`cool:resp${index + 1}/gpt-5`);
    }
  });
});
