/** Model aliases that carry settings, the capability policy (clamp / strict), passthrough, and the finaliser log. */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type Body, eventually, type Harness, startHarness } from "../support/gateway.js";

let h: Harness;
beforeAll(async () => {
  h = await startHarness(() => ({
    models: {
      "gpt-high": {
        provider: "azure-responses",
        model: "gpt-5-codex",
        reasoning: { effort: "high", summary: "detailed" },
        verbosity: "medium",
      },
      "gpt-minimal": { provider: "azure-responses", model: "gpt-5-codex", reasoning: { effort: "minimal" } },
      pro: { provider: "azure-responses", model: "gpt-5-pro" },
      "pro-strict": { provider: "azure-responses", model: "gpt-5-pro", policy: "strict" },
      "claude-budget": { provider: "anthropic", model: "claude-sonnet-4-5", thinking: { budget_tokens: 8000 } },
    },
  }));
});
afterAll(async () => {
  await h.close();
});

async function post(path: string, body: unknown) {
  const res = await fetch(`${h.url}${path}`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify(body),
  });
  return { status: res.status, headers: res.headers, body: (await res.json()) as Body };
}

const ok = () => h.mock.enqueue({ blocks: [{ type: "text", text: "ok" }] });
const sent = () => h.mock.requests.at(-1)!.body as Body;

describe("model aliases carry settings", () => {
  it("gpt-high sets effort, summary and verbosity on a translated request", async () => {
    ok();
    await post("/v1/chat/completions", { model: "gpt-high", messages: [{ role: "user", content: "hi" }] });
    expect(sent().reasoning).toEqual({ effort: "high", summary: "detailed" });
    expect(sent().text).toEqual({ verbosity: "medium" });
  });

  it("and on a passthrough request, overriding what the client sent", async () => {
    ok();
    await post("/v1/responses", { model: "gpt-high", input: "hi", reasoning: { effort: "low" } });
    expect(sent().reasoning).toEqual({ effort: "high", summary: "detailed" });
  });

  it("a Claude alias with a thinking budget", async () => {
    ok();
    await post("/v1/chat/completions", { model: "claude-budget", messages: [{ role: "user", content: "hi" }] });
    expect(sent().thinking).toEqual({ type: "enabled", budget_tokens: 8000 });
    expect(sent().max_tokens).toBeGreaterThan(8000);
  });
});

describe("capability policy", () => {
  it("clamps what the model refuses and says so in llmux-warnings", async () => {
    ok();
    const r = await post("/v1/chat/completions", {
      model: "pro",
      reasoning_effort: "low",
      messages: [{ role: "user", content: "hi" }],
    });
    expect(r.status).toBe(200);
    expect(sent().reasoning.effort).toBe("high");
    expect(r.headers.get("llmux-warnings")).toMatch(
      /gpt-5-pro does not accept reasoning effort 'low'.*'high' was used/,
    );
    const line = await eventually(() => h.logs.find((l) => l.alias === "pro"));
    expect((line.warnings as { code: string; message: string }[]).map((w) => w.code)).toContain("effort_clamped");
    expect(JSON.stringify(line.warnings)).toMatch(/effort/);
  });

  it("gpt-5-codex has no minimal effort: an alias asking for it gets low", async () => {
    ok();
    const r = await post("/v1/responses", { model: "gpt-minimal", input: "hi" });
    expect(sent().reasoning.effort).toBe("low");
    expect(r.headers.get("llmux-warnings")).toMatch(/minimal/);
  });

  it("strict policy rejects with a 400 naming the parameter as the client spelt it", async () => {
    const chat = await post("/v1/chat/completions", {
      model: "pro-strict",
      reasoning_effort: "low",
      messages: [{ role: "user", content: "hi" }],
    });
    expect(chat.status).toBe(400);
    expect(chat.body.error.param).toBe("reasoning_effort");
    const resp = await post("/v1/responses", { model: "pro-strict", input: "hi", reasoning: { effort: "medium" } });
    expect(resp.status).toBe(400);
    expect(resp.body.error.param).toBe("reasoning.effort");
  });
});

describe("passthrough", () => {
  it("forwards the client's body with only the model patched, unknown fields included", async () => {
    ok();
    const body = {
      model: "via-anthropic",
      max_tokens: 50,
      messages: [{ role: "user", content: [{ type: "text", text: "hi", cache_control: { type: "ephemeral" } }] }],
      context_management: { edits: [{ type: "clear_thinking_20251015", keep: "all" }] },
      some_future_field: { nested: [1, 2, 3] },
      metadata: { user_id: "u1" },
    };
    await post("/v1/messages", body);
    expect(sent()).toEqual({ ...body, model: "claude-sonnet-4-5" });
    // Byte for byte: only the model member was re-serialised.
    expect(h.mock.requests.at(-1)!.raw).toBe(JSON.stringify({ ...body, model: "claude-sonnet-4-5" }));
  });

  it("forwards anthropic-beta and anthropic-version unchanged", async () => {
    ok();
    await fetch(`${h.url}/v1/messages?beta=true`, {
      method: "POST",
      headers: {
        "content-type": "application/json",
        "anthropic-beta": "interleaved-thinking-2025-05-14,context-1m-2025-08-07",
        "anthropic-version": "2023-06-01",
      },
      body: JSON.stringify({ model: "via-anthropic", max_tokens: 5, messages: [{ role: "user", content: "hi" }] }),
    });
    const headers = h.mock.requests.at(-1)!.headers;
    expect(headers["anthropic-beta"]).toBe("interleaved-thinking-2025-05-14,context-1m-2025-08-07");
    expect(headers["anthropic-version"]).toBe("2023-06-01");
  });
  it("streams the upstream bytes back, only the model renamed to the alias the client asked for", async () => {
    h.mock.enqueue({ id: "msg_same", blocks: [{ type: "text", text: "byte for byte" }] });
    const res = await fetch(`${h.url}/v1/messages`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({
        model: "via-anthropic",
        max_tokens: 5,
        stream: true,
        messages: [{ role: "user", content: "hi" }],
      }),
    });
    const text = await res.text();
    const { anthropicStream } = await import("../../src/mock/index.js");
    const upstream = anthropicStream({ id: "msg_same", blocks: [{ type: "text", text: "byte for byte" }] }).join("");
    expect(text).toBe(upstream.replace('"model":"mock-model"', '"model":"via-anthropic"'));
  });
});

describe("one log line per request", () => {
  it("on success: id, dialect, alias, provider, status, latency, time to first byte, tokens", async () => {
    h.mock.enqueue({ blocks: [{ type: "text", text: "logged" }], usage: { input: 33, output: 4, cacheRead: 30 } });
    const res = await fetch(`${h.url}/v1/chat/completions`, {
      method: "POST",
      headers: { "content-type": "application/json", "x-request-id": "req-log-1" },
      body: JSON.stringify({ model: "via-anthropic", stream: true, messages: [{ role: "user", content: "hi" }] }),
    });
    await res.text();
    const line = await eventually(() => h.logs.find((l) => l.client_request_id === "req-log-1"));
    expect(line).toMatchObject({
      client: "openai-chat",
      alias: "via-anthropic",
      provider: "anthropic",
      status: 200,
      outcome: "ok",
      stream: true,
    });
    expect(line.tokens).toMatchObject({ input: 33, output: 4, cache_read: 30 });
    expect(line.latency_ms).toBeGreaterThan(0);
    expect(line.ttfb_ms).toBeGreaterThan(0);
  });

  it("on error, with the upstream status", async () => {
    h.mock.enqueue({ blocks: [], httpError: { status: 500, message: "boom" } });
    await post("/v1/responses", { model: "via-openai-chat", input: "hi" });
    const line = await eventually(() => h.logs.find((l) => l.outcome === "error" && String(l.reason).includes("boom")));
    expect(line.status).toBe(500);
  });

  it("estimates usage the upstream did not report, and says so", async () => {
    h.mock.enqueue({ blocks: [{ type: "text", text: "no usage here" }], flavour: { noUsage: true } });
    const res = await fetch(`${h.url}/v1/chat/completions`, {
      method: "POST",
      headers: { "content-type": "application/json", "x-request-id": "req-log-est" },
      // passthrough Chat without include_usage: the upstream sends no usage at all
      body: JSON.stringify({
        model: "via-openai-chat",
        stream: true,
        messages: [{ role: "user", content: "estimate me" }],
      }),
    });
    await res.text();
    const line = await eventually(() => h.logs.find((l) => l.client_request_id === "req-log-est"));
    expect((line.tokens as { estimated?: boolean }).estimated).toBe(true);
  });
});
