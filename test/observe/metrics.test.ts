/**
 * GET /metrics: requests sent with the official SDKs through the gateway, then the scrape read by an
 * independent Prometheus text parser (prom2javascript). Counts must equal what was sent, by
 * label; the histograms and the process's own metrics must be there; only the right keys may read it.
 */
import Anthropic from "@anthropic-ai/sdk";
import OpenAI from "openai";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type Harness, startHarness } from "../support/gateway.js";
import { Scrape } from "../support/prometheus.js";
import { call, MASTER } from "../support/team.js";

const ADMIN = "admin-key-for-metrics-0001";
const SCRAPER = "scrape-key-for-metrics-0001";
const SERVICE = "service-key-for-metrics-01";

/** Scrapes /metrics with a bearer key (none: null). */
async function scrape(url: string, key: string | null = SCRAPER): Promise<Response> {
  return fetch(`${url}/metrics`, key ? { headers: { authorization: `Bearer ${key}` } } : {});
}

describe("GET /metrics after a known mix of requests", () => {
  let h: Harness;
  let s: Scrape;
  beforeAll(async () => {
    h = await startHarness(() => ({
      auth: { keys: [SERVICE] },
      admin: { keys: [ADMIN] },
      metrics: { key: SCRAPER },
      models: {
        routed: {
          deployments: [
            { provider: "openai-chat", model: "gpt-4.1", name: "first" },
            { provider: "anthropic", model: "claude-sonnet-4-5", name: "second" },
          ],
          routing: { strategy: "weighted", retries: 2 },
        },
      },
    }));
    const openai = new OpenAI({ apiKey: SERVICE, baseURL: `${h.url}/v1`, maxRetries: 0 });
    const anthropic = new Anthropic({ apiKey: SERVICE, baseURL: h.url, maxRetries: 0 });
    // 3 streamed Chat answers from the OpenAI Chat upstream (passthrough), paced: chunks come apart.
    for (let i = 0; i < 3; i++) {
      h.mock.enqueue({ blocks: [{ type: "text", text: "a streamed answer in pieces" }], chunkDelayMs: 3 });
      const stream = await openai.chat.completions.create({
        model: "via-openai-chat",
        messages: [{ role: "user", content: `hello number ${i}` }],
        stream: true,
        stream_options: { include_usage: true },
      });
      for await (const _ of stream) {
        // read it all
      }
    }
    // 2 Anthropic answers from the Azure Responses upstream (translated, not streamed).
    for (let i = 0; i < 2; i++)
      await anthropic.messages.create({
        model: "via-azure-responses",
        max_tokens: 50,
        messages: [{ role: "user", content: "hi there" }],
      });
    // 1 upstream failure relayed (500 from the OpenAI Chat upstream).
    h.mock.enqueue({ httpError: { status: 500, message: "upstream broke" } });
    await expect(
      openai.chat.completions.create({ model: "via-openai-chat", messages: [{ role: "user", content: "x" }] }),
    ).rejects.toThrow();
    // 1 model that is not configured, 2 wrong keys (refused before any upstream).
    await expect(
      openai.chat.completions.create({ model: "no-such-model", messages: [{ role: "user", content: "x" }] }),
    ).rejects.toThrow();
    const wrong = new OpenAI({ apiKey: "not-a-key", baseURL: `${h.url}/v1`, maxRetries: 0 });
    for (let i = 0; i < 2; i++)
      await expect(
        wrong.chat.completions.create({ model: "via-openai-chat", messages: [{ role: "user", content: "x" }] }),
      ).rejects.toThrow();
    // A routed alias whose first pick fails with a 503: one retry on the other deployment.
    h.mock.enqueue({ httpError: { status: 503, message: "overloaded" } });
    await openai.chat.completions.create({ model: "routed", messages: [{ role: "user", content: "route me" }] });
    const res = await scrape(h.url);
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toContain("text/plain");
    s = await Scrape.parse(await res.text());
  });
  afterAll(() => h.close());

  it("counts requests by alias, provider, deployment, dialect, status and error class", () => {
    expect(s.family("llmux_requests_total").type).toBe("counter");
    expect(
      s.sum("llmux_requests_total", {
        alias: "via-openai-chat",
        provider: "openai-chat",
        deployment: "openai-chat/gpt-4.1",
        dialect: "openai-chat",
        status: "200",
        error_class: "none",
      }),
    ).toBe(3);
    expect(s.sum("llmux_requests_total", { alias: "via-azure-responses", dialect: "anthropic", status: "200" })).toBe(
      2,
    );
    expect(s.sum("llmux_requests_total", { alias: "via-openai-chat", status: "500", error_class: "server" })).toBe(1);
    expect(s.sum("llmux_requests_total", { alias: "none", status: "404", error_class: "not_found" })).toBe(1);
    expect(s.sum("llmux_requests_total", { status: "401", error_class: "auth" })).toBe(2);
    expect(s.sum("llmux_requests_total", { alias: "routed", status: "200" })).toBe(1);
    // Every request sent is counted once; the scrape itself is not.
    expect(s.sum("llmux_requests_total")).toBe(3 + 2 + 1 + 1 + 2 + 1);
  });

  it("counts refusals, upstream attempts and retries", () => {
    expect(s.sum("llmux_refusals_total", { reason: "auth" })).toBe(2);
    expect(s.sum("llmux_upstream_attempts_total", { alias: "via-openai-chat", status: "200" })).toBe(3);
    expect(s.sum("llmux_upstream_attempts_total", { alias: "via-openai-chat", status: "500" })).toBe(1);
    expect(s.sum("llmux_upstream_attempts_total", { alias: "routed" })).toBe(2);
    expect(s.sum("llmux_upstream_attempts_total", { alias: "routed", status: "503" })).toBe(1);
    expect(s.sum("llmux_retries_total", { alias: "routed" })).toBe(1);
  });

  it("has the GenAI histograms with one observation per generation", () => {
    const chat = { gen_ai_request_model: "via-openai-chat", gen_ai_provider_name: "openai" };
    expect(s.family("gen_ai_server_request_duration_seconds").type).toBe("histogram");
    expect(s.count("gen_ai_server_request_duration_seconds", chat)).toBe(4);
    expect(s.count("gen_ai_server_request_duration_seconds", { ...chat, error_type: "server" })).toBe(1);
    expect(s.count("gen_ai_server_time_to_first_token_seconds", chat)).toBe(3);
    expect(
      s.count("gen_ai_server_request_duration_seconds", {
        gen_ai_request_model: "via-azure-responses",
        gen_ai_provider_name: "azure.ai.openai",
        gen_ai_response_model: "gpt-5-codex",
      }),
    ).toBe(2);
    expect(s.count("gen_ai_client_token_usage", { ...chat, gen_ai_token_type: "input" })).toBe(4);
    expect(s.count("gen_ai_client_token_usage", { ...chat, gen_ai_token_type: "output" })).toBe(4);
    expect(s.count("gen_ai_client_operation_duration_seconds")).toBe(3 + 2 + 1 + 2);
    expect(s.count("llmux_inter_chunk_seconds", { alias: "via-openai-chat" })).toBe(3);
    expect(s.count("llmux_overhead_seconds")).toBe(3 + 2 + 1 + 1);
    // A bucket set as advised by the semantic conventions, cumulative up to +Inf.
    const sample = s.samples("gen_ai_server_request_duration_seconds", chat)[0]!;
    expect(Object.keys(sample.buckets!)).toContain("0.01");
    expect(Object.keys(sample.buckets!)).toContain("81.92");
  });

  it("counts tokens by kind, matching the usage the upstream reported", () => {
    const input = s.sum("llmux_tokens_total", { alias: "via-openai-chat", kind: "input" });
    const output = s.sum("llmux_tokens_total", { alias: "via-openai-chat", kind: "output" });
    expect(input).toBeGreaterThan(0);
    expect(output).toBeGreaterThan(0);
    // The histogram of the same tokens sums to the counter.
    const hist = s.samples("gen_ai_client_token_usage", {
      gen_ai_request_model: "via-openai-chat",
      gen_ai_token_type: "input",
    });
    expect(hist.reduce((n, m) => n + Number(m.sum), 0)).toBe(input);
  });

  it("reports in-flight and the process's own metrics", () => {
    expect(s.family("llmux_requests_in_flight").type).toBe("gauge");
    expect(s.sum("llmux_requests_in_flight")).toBe(1); // the scrape itself
    expect(s.sum("process_resident_memory_bytes")).toBeGreaterThan(10_000_000);
    expect(s.sum("nodejs_heap_size_used_bytes")).toBeGreaterThan(1_000_000);
    expect(s.has("nodejs_eventloop_lag_seconds")).toBe(true);
    expect(s.sum("process_cpu_seconds_total")).toBeGreaterThan(0);
    // Each of the three is read from the process's CPU usage as the scrape reaches it: they differ by the CPU
    // the scrape spent between those reads (milliseconds on a loaded machine), never by a whole figure.
    const parts = s.sum("process_cpu_user_seconds_total") + s.sum("process_cpu_system_seconds_total");
    expect(Math.abs(s.sum("process_cpu_seconds_total") - parts)).toBeLessThan(0.05);
  });

  it("answers to the admin key and metrics.key only", async () => {
    expect((await scrape(h.url, ADMIN)).status).toBe(200);
    expect((await scrape(h.url, null)).status).toBe(401);
    expect((await scrape(h.url, "wrong-key")).status).toBe(401);
    expect((await scrape(h.url, SERVICE)).status).toBe(401);
  });
});

describe("GET /metrics settings", () => {
  it("is off with metrics.enabled: false", async () => {
    const h = await startHarness(() => ({ admin: { keys: [ADMIN] }, metrics: { enabled: false } }));
    try {
      const res = await scrape(h.url, ADMIN);
      expect(res.status).toBe(404);
      expect(await res.text()).toContain("metrics.enabled");
    } finally {
      await h.close();
    }
  });

  it("says which key to set when none is configured", async () => {
    const h = await startHarness();
    try {
      const res = await scrape(h.url, null);
      expect(res.status).toBe(404);
      expect(await res.text()).toContain("admin.keys or metrics.key");
    } finally {
      await h.close();
    }
  });

  it("asks for no key with metrics.public: true", async () => {
    const h = await startHarness(() => ({ metrics: { public: true } }));
    try {
      await fetch(`${h.url}/v1/chat/completions`, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({ model: "via-anthropic", messages: [{ role: "user", content: "hi" }] }),
      });
      const res = await scrape(h.url, null);
      expect(res.status).toBe(200);
      const s = await Scrape.parse(await res.text());
      expect(s.sum("llmux_requests_total", { alias: "via-anthropic", provider: "anthropic", status: "200" })).toBe(1);
    } finally {
      await h.close();
    }
  });

  it("keeps labels bounded: a model name a client made up is counted as other", async () => {
    const h = await startHarness(() => ({
      metrics: { public: true },
      models: { "pat-*": { provider: "openai-chat" } },
    }));
    try {
      for (const model of ["pat-a1", "pat-b2", "openai-chat/made-up-1", "openai-chat/made-up-2"])
        await fetch(`${h.url}/v1/chat/completions`, {
          method: "POST",
          headers: { "content-type": "application/json" },
          body: JSON.stringify({ model, messages: [{ role: "user", content: "hi" }] }),
        });
      const s = await Scrape.parse(await (await scrape(h.url, null)).text());
      expect(s.sum("llmux_requests_total", { alias: "pat-*", deployment: "other" })).toBe(2);
      expect(s.sum("llmux_requests_total", { alias: "openai-chat/*" })).toBe(2);
      const models = new Set(
        s.samples("gen_ai_server_request_duration_seconds").map((m) => m.labels.gen_ai_response_model),
      );
      expect([...models].sort()).toEqual(["other"]);
      expect(s.text).not.toContain("made-up");
      expect(s.text).not.toContain("pat-a1");
    } finally {
      await h.close();
    }
  });
});

describe("GET /metrics: budget and rate-limit refusals, fallbacks, cooldowns and cost", () => {
  let h: Harness;
  let s: Scrape;
  let spentUsd = 0;
  beforeAll(async () => {
    h = await startHarness(() => ({
      admin: { keys: [ADMIN] },
      secrets: { master_key: MASTER },
      metrics: { key: SCRAPER },
      models: {
        primary: { provider: "openai-chat", model: "gpt-4.1", fallbacks: ["via-anthropic"] },
        pair: {
          deployments: [
            { provider: "openai-chat", model: "gpt-4.1", name: "p1" },
            { provider: "azure-chat", model: "gpt-4o-deploy", name: "p2" },
          ],
        },
      },
    }));
    const mint = async (body: object) =>
      (await call(h.url, "POST", "/admin/v1/keys", ADMIN, { name: `k${Math.random()}`, ...body })).body.key as string;
    const chat = (key: string, model: string) =>
      new OpenAI({ apiKey: key, baseURL: `${h.url}/v1`, maxRetries: 0 }).chat.completions
        .create({ model, messages: [{ role: "user", content: "count me" }] })
        .then(
          () => 200,
          (e: { status?: number }) => e.status ?? 0,
        );
    // One request a minute: 1 answered, 2 refused by llmux's own limit.
    const limited = await mint({ limits: { rpm: 1 } });
    expect([
      await chat(limited, "via-openai-chat"),
      await chat(limited, "via-openai-chat"),
      await chat(limited, "via-openai-chat"),
    ]).toEqual([200, 429, 429]);
    // A budget smaller than any request: both refused.
    const broke = await mint({ budget: { usd: 0.000001, period: "day" } });
    expect([await chat(broke, "via-openai-chat"), await chat(broke, "via-openai-chat")]).toEqual([429, 429]);
    const payer = await mint({});
    // The primary fails: its fallback answers.
    h.mock.enqueue({ httpError: { status: 500, message: "broke" } });
    expect(await chat(payer, "primary")).toBe(200);
    // The first deployment picked answers 429 with a retry-after: it cools down, the other answers.
    h.mock.enqueue({ httpError: { status: 429, message: "slow down", retryAfter: "30" } });
    expect(await chat(payer, "pair")).toBe(200);
    for (let i = 0; i < 2; i++) expect(await chat(payer, "via-anthropic")).toBe(200);
    // The ledger's spend of those keys, once every row is written (rows are batched).
    for (let t = 0; t < 100; t++) {
      const spend = await call(h.url, "GET", "/admin/v1/spend?group_by=key", ADMIN);
      const rows = spend.body.rows as { requests: number; cost_usd: number }[];
      // Served requests (refusals are counted apart, never as requests): one of the limited key's, the payer's four.
      if (rows.reduce((n, r) => n + r.requests, 0) >= 1 + 4) {
        spentUsd = rows.reduce((n, r) => n + r.cost_usd, 0);
        break;
      }
      await new Promise((r) => setTimeout(r, 50));
    }
    s = await Scrape.parse(await (await scrape(h.url)).text());
  });
  afterAll(() => h.close());

  it("counts llmux's own refusals by kind, fallbacks and cooldowns", () => {
    expect(s.sum("llmux_refusals_total", { reason: "rate_limit_local" })).toBe(2);
    expect(s.sum("llmux_refusals_total", { reason: "budget" })).toBe(2);
    expect(s.sum("llmux_fallbacks_total", { alias: "primary", to: "via-anthropic" })).toBe(1);
    expect(s.sum("llmux_cooldowns_total")).toBe(1);
  });

  it("counts the cost the ledger holds", () => {
    expect(spentUsd).toBeGreaterThan(0);
    expect(Math.abs(s.sum("llmux_cost_usd_total") - spentUsd)).toBeLessThan(1e-9);
  });
});
