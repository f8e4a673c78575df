import { randomBytes } from "node:crypto";
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { affinityKey } from "../../src/clients/conversation-key.js";
import type { JsonObject } from "../../src/ir/types.js";
import type { Provider } from "../../src/providers/types.js";
import type { Deployment, Routing } from "../../src/routing/deployments.js";
import { routingOf } from "../../src/routing/deployments.js";
import { classifyFailure, classifyReply, retryAfterMs } from "../../src/routing/error-class.js";
import { accountOf, withoutOpaqueReasoning } from "../../src/routing/foreign-reasoning.js";
import { DeploymentHealth } from "../../src/routing/health.js";
import { type Candidate, order } from "../../src/routing/strategies.js";
import type { HotState } from "../../src/state/hot-state.js";
import { MemoryState } from "../../src/state/memory.js";
import { RedisState } from "../../src/state/redis.js";
import { SHARED } from "../support/upstream-fixtures.js";

const dep = (name: string, weight = 1): Deployment => ({
  id: `p-${name}/m`,
  name,
  provider: { name: `p-${name}` } as Provider,
  model: "m",
  weight,
});

/** A seeded generator, so the distributions are the same on every run. */
function seeded(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s * 1664525 + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
}

function shares(strategy: "weighted" | "least-busy" | "latency", cands: Candidate[], n = 1000) {
  const rand = seeded(42);
  const counts = new Map<string, number>();
  for (let i = 0; i < n; i++) {
    const first = order(strategy, cands, rand)[0]!;
    counts.set(first.name, (counts.get(first.name) ?? 0) + 1);
  }
  return Object.fromEntries(cands.map((c) => [c.d.name, (counts.get(c.d.name) ?? 0) / n]));
}

describe("strategies: distribution over 1,000 requests within ±10% of the expected", () => {
  it("weighted 2:1:1 gives 50/25/25", () => {
    const s = shares("weighted", [
      { d: dep("a", 2), inflight: 0, ttftMs: undefined },
      { d: dep("b"), inflight: 0, ttftMs: undefined },
      { d: dep("c"), inflight: 0, ttftMs: undefined },
    ]);
    expect(s.a).toBeGreaterThan(0.45);
    expect(s.a).toBeLessThan(0.55);
    expect(s.b).toBeGreaterThan(0.225);
    expect(s.b).toBeLessThan(0.275);
  });
  it("least-busy picks the idle one, and spreads evenly among equally busy ones", () => {
    const busy = shares("least-busy", [
      { d: dep("a"), inflight: 3, ttftMs: undefined },
      { d: dep("b"), inflight: 0, ttftMs: undefined },
      { d: dep("c"), inflight: 1, ttftMs: undefined },
    ]);
    expect(busy.b).toBe(1);
    const even = shares("least-busy", [
      { d: dep("a"), inflight: 2, ttftMs: undefined },
      { d: dep("b"), inflight: 2, ttftMs: undefined },
    ]);
    expect(even.a).toBeGreaterThan(0.45);
    expect(even.a).toBeLessThan(0.55);
  });
  it("latency (power of two choices) gives the fastest of three 2/3, the middle 1/3, the slowest none", () => {
    const s = shares("latency", [
      { d: dep("fast"), inflight: 0, ttftMs: 10 },
      { d: dep("mid"), inflight: 0, ttftMs: 20 },
      { d: dep("slow"), inflight: 0, ttftMs: 40 },
    ]);
    expect(s.fast).toBeGreaterThan(0.6);
    expect(s.fast).toBeLessThan(0.73);
    expect(s.mid).toBeGreaterThan(0.3);
    expect(s.mid).toBeLessThan(0.37);
    expect(s.slow).toBe(0);
  });
  it("orders every candidate once (the retry order)", () => {
    const ds = [dep("a"), dep("b"), dep("c")].map((d) => ({ d, inflight: 0, ttftMs: undefined }));
    const o = order("weighted", ds, seeded(1));
    expect(o.map((d) => d.name).sort()).toEqual(["a", "b", "c"]);
  });
});

describe("error classes: each provider's own forms", () => {
  const h = {};
  it.each([
    [429, "", "rate_limited"],
    [529, '{"type":"error","error":{"type":"overloaded_error"}}', "overloaded"],
    [503, "", "overloaded"],
    [500, "", "server"],
    [502, "", "server"],
    [504, "", "timeout"],
    [
      400,
      '{"error":{"code":"context_length_exceeded","message":"This model\'s maximum context length is 128000"}}',
      "context_window",
    ],
    [
      400,
      '{"type":"error","error":{"type":"invalid_request_error","message":"prompt is too long: 210000 tokens > 200000 maximum"}}',
      "context_window",
    ],
    [
      400,
      '{"error":{"code":"content_filter","message":"The response was filtered (ResponsibleAIPolicyViolation)"}}',
      "content_filter",
    ],
    // Azure OpenAI Chat: OpenAI's shape, with its own wording.
    [
      400,
      '{"error":{"message":"This model\'s maximum context length is 128000 tokens. However, your messages resulted in 131072 tokens. Please reduce the length of the messages.","type":"invalid_request_error","param":"messages","code":"context_length_exceeded"}}',
      "context_window",
    ],
    // OpenAI / Azure Responses (non-streamed).
    [
      400,
      '{"error":{"message":"Your input exceeds the context window of this model. Please adjust your input and try again.","type":"invalid_request_error","param":"input","code":"context_length_exceeded"}}',
      "context_window",
    ],
    // Anthropic, when input and max_tokens together exceed the window.
    [
      400,
      '{"type":"error","error":{"type":"invalid_request_error","message":"input length and `max_tokens` exceed context limit: 199759 + 8192 > 200000, decrease input length or `max_tokens` and try again"}}',
      "context_window",
    ],
    // Anthropic 413 request_too_large.
    [
      413,
      '{"type":"error","error":{"type":"request_too_large","message":"Request exceeds the maximum allowed number of bytes."}}',
      "context_window",
    ],
    // Gemini.
    [
      400,
      '{"error":{"code":400,"message":"The input token count (1250000) exceeds the maximum number of tokens allowed (1048576).","status":"INVALID_ARGUMENT"}}',
      "context_window",
    ],
    [
      429,
      '{"error":{"code":429,"message":"Resource has been exhausted","status":"RESOURCE_EXHAUSTED"}}',
      "rate_limited",
    ],
    [
      503,
      '{"error":{"code":503,"message":"The model is overloaded. Please try again later.","status":"UNAVAILABLE"}}',
      "overloaded",
    ],
    // Azure content filter on the prompt, as Azure words it.
    [
      400,
      '{"error":{"message":"The response was filtered due to the prompt triggering Azure OpenAI\'s content management policy.","type":null,"param":"prompt","code":"content_filter","status":400,"innererror":{"code":"ResponsibleAIPolicyViolation","content_filter_result":{"hate":{"filtered":true,"severity":"high"}}}}}',
      "content_filter",
    ],
    // OpenAI's policy refusal of a request.
    [
      400,
      '{"error":{"message":"Your request was rejected as a result of our safety system.","type":"invalid_request_error","code":"content_policy_violation"}}',
      "content_filter",
    ],
    [400, '{"error":{"message":"bad temperature"}}', "client"],
    [401, '{"error":{"message":"invalid key"}}', "client"],
  ])("%i %s → %s", (status, text, cls) => {
    expect(classifyReply(status, h, text).class).toBe(cls);
  });
  it("reads retry-after in seconds, as a date, and the millisecond headers first", () => {
    expect(retryAfterMs({ "retry-after": "2" })).toBe(2000);
    expect(retryAfterMs({ "retry-after-ms": "150", "retry-after": "9" })).toBe(150);
    expect(retryAfterMs({ "x-ms-retry-after-ms": "700" })).toBe(700);
    expect(retryAfterMs({ "retry-after": new Date(10_000).toUTCString() }, 7_000)).toBe(3000);
    expect(classifyReply(429, { "retry-after": "2" }, "").retryAfterMs).toBe(2000);
  });
  it("calls that got no answer are timeouts or connection failures", () => {
    expect(classifyFailure({ status: 504, kind: "timeout", message: "" }).class).toBe("timeout");
    expect(classifyFailure({ status: 502, kind: "server", message: "ECONNREFUSED" }).class).toBe("connection");
  });
});

describe("affinity keys from what each recorded tool sent", () => {
  const REAL = join(SHARED, "fixtures/real-clients");
  const recorded = readdirSync(REAL)
    .filter((f) => f.endsWith(".json"))
    .map((f) => ({
      file: f,
      ...(JSON.parse(readFileSync(join(REAL, f), "utf8")) as { headers?: Record<string, string>; body: JsonObject }),
    }))
    .filter((f) => f.headers !== undefined);
  /** The session the tool itself named, in the header each one uses. */
  const sessionOf = (h: Record<string, string>) =>
    h["x-claude-code-session-id"] ?? h["session-id"] ?? h["x-session-affinity"];

  it("every recorded Claude Code, Codex and OpenCode request is keyed by its tool's session", () => {
    const tools = new Set<string>();
    for (const f of recorded) {
      const session = sessionOf(f.headers!);
      expect(session, f.file).toBeTruthy();
      expect(affinityKey(f.headers!, f.body), f.file).toBe(`s:${session}`);
      tools.add(f.file.split("-")[0]!);
    }
    expect(tools).toEqual(new Set(["claude", "codex", "opencode"]));
  });

  it("Claude Code without its header: the session in metadata.user_id is the same one", () => {
    const claude = recorded.filter((f) => f.file.startsWith("claude"));
    expect(claude.length).toBeGreaterThan(3);
    for (const f of claude) expect(affinityKey({}, f.body), f.file).toBe(`s:${f.headers!["x-claude-code-session-id"]}`);
  });

  it("Codex without its header: its prompt_cache_key (the same session)", () => {
    const codex = recorded.filter((f) => f.file.startsWith("codex"));
    for (const f of codex) expect(affinityKey({}, f.body), f.file).toBe(`k:${f.headers!["session-id"]}`);
  });

  it("Cursor: its conversation id (a real Cursor body)", () => {
    const f = JSON.parse(
      readFileSync(
        join(SHARED, "fixtures/cursor-2026/clyde__agent-gpt54-responses-body-on-chat-completions__request.json"),
        "utf8",
      ),
    ) as { body: JsonObject };
    expect(affinityKey({}, f.body)).toBe("s:c9318f8e-3eb7-4bf3-b50e-f65215d398b0");
  });

  it("Codex's earlier headers (session_id, conversation_id) and x-session-affinity first of all", () => {
    expect(affinityKey({ session_id: "old-codex" }, {})).toBe("s:old-codex");
    expect(affinityKey({ conversation_id: "older-codex" }, {})).toBe("s:older-codex");
    expect(affinityKey({ "x-session-affinity": "chosen", "session-id": "other" }, {})).toBe("s:chosen");
  });
});

describe("affinity keys from what each tool sends", () => {
  it("uses session headers, Claude Code's metadata, prompt_cache_key, else the conversation's start", () => {
    expect(affinityKey({ "x-session-affinity": "ses_1" }, {})).toBe("s:ses_1");
    expect(affinityKey({ "session-id": "codex-1" }, {})).toBe("s:codex-1");
    expect(
      affinityKey({}, { metadata: { user_id: '{"device_id":"d","session_id":"fedb26f5-d2ef"}' }, messages: [] }),
    ).toBe("s:fedb26f5-d2ef");
    expect(affinityKey({}, { prompt_cache_key: "pk" })).toBe("k:pk");
    const a = affinityKey({}, { messages: [{ role: "user", content: "hi" }] });
    const b = affinityKey(
      {},
      {
        messages: [
          { role: "user", content: "hi" },
          { role: "assistant", content: "x" },
          { role: "user", content: "more" },
        ],
      },
    );
    const c = affinityKey({}, { messages: [{ role: "user", content: "other" }] });
    expect(a).toMatch(/^fp:/);
    expect(a).not.toBe(c);
    // The same conversation, later: its first two messages are the same, and so is its key.
    expect(
      affinityKey(
        {},
        {
          messages: [
            { role: "user", content: "hi" },
            { role: "assistant", content: "x" },
          ],
        },
      ),
    ).toBe(b);
  });
});

const prefix = () => `llmux-test:${process.pid}:${randomBytes(4).toString("hex")}:`;
const ENGINES: { name: string; open: () => HotState }[] = [
  { name: "memory", open: () => new MemoryState() },
  {
    name: "redis",
    open: () => new RedisState({ url: process.env.LLMUX_TEST_REDIS ?? "redis://127.0.0.1:6379", prefix: prefix() }),
  },
];

describe.each(ENGINES)("deployment health on $name", ({ open }) => {
  const opened: HotState[] = [];
  afterAll(async () => {
    for (const s of opened) await s.close();
  });
  const setup = (now: () => number = Date.now) => {
    const hot = open();
    opened.push(hot);
    const events: string[] = [];
    const health = new DeploymentHealth(
      hot,
      {
        coolDown: (d, ms, why) => events.push(`cool ${d.name} ${ms} ${why}`),
        recovered: (d) => events.push(`up ${d.name}`),
      },
      now,
    );
    return { health, events };
  };
  const routing: Routing = { ...routingOf({ provider: "p" }), allowed_fails: 3, cooldown_s: 1, window_s: 1_000_000 };
  // (One failure window for each test, 11.6 days: with a minute, a test crossing one counts two windows.)

  it("a 429 with retry-after cools the deployment for exactly that long, then it takes traffic (no probe)", async () => {
    const { health, events } = setup();
    const d = dep("a");
    await health.failed(d, routing, { class: "rate_limited", retryAfterMs: 300 }, false);
    expect(await health.availability(d)).toBe("cooling");
    expect(events[0]).toMatch(/cool a 300 rate limited/);
    await new Promise((r) => setTimeout(r, 350));
    expect(await health.availability(d)).toBe("ok");
  });

  it("one failing conversation among many successes does not trip the breaker; a failing majority does", async () => {
    const { health, events } = setup();
    const d = dep("b");
    for (let i = 0; i < 20; i++) await health.succeeded(d, routing, 50, false);
    for (let i = 0; i < 4; i++) await health.failed(d, routing, { class: "timeout" }, false);
    expect(await health.availability(d)).toBe("ok");
    const e = dep("e");
    await health.succeeded(e, routing, 50, false);
    await health.failed(e, routing, { class: "server" }, false);
    await health.failed(e, routing, { class: "server" }, false);
    expect(await health.availability(e)).toBe("ok");
    await health.failed(e, routing, { class: "server" }, false);
    expect(await health.availability(e)).toBe("cooling");
    expect(events.some((x) => /cool e 1000 3 of 4 requests failed/.test(x))).toBe(true);
  });

  it("client errors and context-window errors never count against the deployment", async () => {
    const { health } = setup();
    const d = dep("c");
    for (let i = 0; i < 10; i++) await health.failed(d, routing, { class: "context_window" }, false);
    for (let i = 0; i < 10; i++) await health.failed(d, routing, { class: "client" }, false);
    expect(await health.availability(d)).toBe("ok");
  });

  it("after a breaker cooldown exactly one request probes; its success reopens, its failure cools again", async () => {
    const { health, events } = setup();
    const d = dep("d");
    for (let i = 0; i < 3; i++) await health.failed(d, routing, { class: "connection" }, false);
    expect(await health.availability(d)).toBe("cooling");
    await new Promise((r) => setTimeout(r, 1100));
    expect(await health.availability(d)).toBe("half-open");
    const claims = await Promise.all(Array.from({ length: 10 }, () => health.claimProbe(d)));
    expect(claims.filter(Boolean)).toHaveLength(1);
    await health.failed(d, routing, { class: "connection" }, true);
    expect(await health.availability(d)).toBe("cooling");
    await new Promise((r) => setTimeout(r, 1100));
    expect(await health.availability(d)).toBe("half-open");
    expect(await health.claimProbe(d)).toBe(true);
    await health.succeeded(d, routing, 40, true);
    expect(await health.availability(d)).toBe("ok");
    expect(events.at(-1)).toBe("up d");
  });

  it("counts requests in flight and averages time to first token", async () => {
    const { health } = setup();
    const d = dep("f");
    await health.started(d);
    await health.started(d);
    expect(await health.inflight(d)).toBe(2);
    await health.finished(d);
    expect(await health.inflight(d)).toBe(1);
    await health.succeeded(d, routing, 100, false);
    await health.succeeded(d, routing, 200, false);
    expect(await health.ttft(d)).toBe(130);
  });

  it("a declared rpm admits exactly that many requests at once, shared by every claimer, refilling over a minute", async () => {
    let t = Date.UTC(2026, 0, 1, 0, 0, 0);
    const { health } = setup(() => t);
    const d = { ...dep("q"), rpm: 5 };
    const claims = await Promise.all(Array.from({ length: 12 }, () => health.claimQuota(d)));
    expect(claims.filter(Boolean)).toHaveLength(5);
    expect((await health.view(d, routing)).rpm_used).toBe(5);
    // A minute on, the bucket has refilled.
    t += 120_000;
    expect(await health.claimQuota(d)).toBe(true);
  });

  it("a declared tpm passes the deployment by once its tokens this minute reach it", async () => {
    let t = Date.UTC(2026, 0, 1, 0, 0, 0);
    const { health } = setup(() => t);
    const d = { ...dep("r"), tpm: 1000 };
    expect(await health.claimQuota(d)).toBe(true);
    await health.spendTokens(d, 600);
    expect(await health.claimQuota(d)).toBe(true);
    await health.spendTokens(d, 400);
    expect(await health.claimQuota(d)).toBe(false);
    expect((await health.view(d, routing)).tpm_used).toBe(1000);
    // It refills evenly: six seconds give back a tenth.
    t += 6_000;
    expect((await health.view(d, routing)).tpm_used).toBe(900);
    t += 120_000;
    expect(await health.claimQuota(d)).toBe(true);
  });

  it("a declared concurrency: no more than that many in flight, counted atomically; free again when one finishes", async () => {
    const { health } = setup();
    const d = { ...dep("c"), concurrency: 2 };
    const tries = await Promise.all(Array.from({ length: 10 }, () => health.started(d)));
    expect(tries.filter(Boolean)).toHaveLength(2);
    expect(await health.inflight(d)).toBe(2);
    await health.finished(d);
    expect(await health.started(d)).toBe(true);
    expect(await health.started(d)).toBe(false);
    // Without a declared concurrency every request counts and none is refused.
    const free = dep("f");
    expect((await Promise.all(Array.from({ length: 10 }, () => health.started(free)))).every(Boolean)).toBe(true);
    expect(await health.inflight(free)).toBe(10);
  });

  it("a deployment without a declared quota touches no quota state", async () => {
    const { health } = setup();
    const d = dep("s");
    expect(await health.claimQuota(d)).toBe(true);
    const v = await health.view(d, routing);
    expect([v.rpm_used, v.tpm_used]).toEqual([null, null]);
  });
});

describe("opaque reasoning kept to its account", () => {
  it("drops Anthropic thinking and redacted_thinking blocks of assistant turns, and turns left empty", () => {
    const body: JsonObject = {
      model: "m",
      messages: [
        { role: "user", content: "q" },
        {
          role: "assistant",
          content: [
            { type: "thinking", thinking: "t", signature: "sig" },
            { type: "text", text: "a" },
          ],
        },
        { role: "assistant", content: [{ type: "redacted_thinking", data: "x" }] },
        { role: "user", content: [{ type: "text", text: "thinking about it" }] },
      ],
    };
    const before = JSON.stringify(body);
    const out = withoutOpaqueReasoning("anthropic", body);
    expect(JSON.stringify(body)).toBe(before);
    expect(out?.dropped).toBe(2);
    expect(out?.body.messages).toEqual([
      { role: "user", content: "q" },
      { role: "assistant", content: [{ type: "text", text: "a" }] },
      { role: "user", content: [{ type: "text", text: "thinking about it" }] },
    ]);
  });

  it("drops Responses reasoning items; leaves Chat and bodies without any alone", () => {
    const out = withoutOpaqueReasoning("openai-responses", {
      input: [
        { role: "user", content: "q" },
        { type: "reasoning", encrypted_content: "e", summary: [] },
      ],
    });
    expect(out?.body.input).toEqual([{ role: "user", content: "q" }]);
    expect(withoutOpaqueReasoning("openai-responses", { input: "q" })).toBeUndefined();
    expect(withoutOpaqueReasoning("openai-chat", { messages: [{ role: "assistant", reasoning_content: "r" }] })).toBe(
      undefined,
    );
    expect(accountOf("azure-east/gpt-5-codex")).toBe("azure-east");
    expect(accountOf("vllm/meta/llama")).toBe("vllm");
  });
});
