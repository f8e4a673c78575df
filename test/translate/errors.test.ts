/**
 * Error status and body mapping between dialects (§1.6, §3.9, §4.3, §5.7, §2.6 stream error shapes,
 * §6 items 15, 26, 27). An upstream error is decoded with the upstream codec and re-encoded with the client's.
 */
import { describe, expect, it } from "vitest";
import { responsesFailure } from "../../src/dialects/openai-responses/response.js";
import type { Dialect, ErrorInfo, Json, JsonObject, StreamEvent } from "../../src/ir/types.js";
import { parseSseText } from "../../src/sse/parser.js";
import { codecs } from "../../src/translate/codecs.js";
import { decodeStream, dig, encodeStream, jsonFixture, sseEvents, textFixture } from "./helpers.js";

/** Upstream error (status + body) as the client of dialect `to` sees it. */
function relay(from: Dialect, to: Dialect, status: number, body: Json | string): { status: number; body: JsonObject } {
  return codecs[to].encodeError(codecs[from].decodeError(status, body));
}

const OPENAI_CLIENTS = ["openai-chat", "openai-responses"] as const;

// ---------------------------------------------------------------------------------------------------------
// Real bodies
// ---------------------------------------------------------------------------------------------------------

const ANTHROPIC_OVERLOADED = {
  type: "error",
  error: { type: "overloaded_error", message: "Overloaded" },
  request_id: "req_011CSHoEeqs5C35K2UUqR7Fy",
};
const ANTHROPIC_BILLING = {
  type: "error",
  error: {
    type: "billing_error",
    message:
      "Your credit balance is too low to access the Anthropic API. Please go to Plans & Billing to upgrade or purchase credits.",
  },
  request_id: "req_011CSHpBill1ng5C35K2UUqR7",
};
const ANTHROPIC_PROMPT_TOO_LONG = {
  type: "error",
  error: { type: "invalid_request_error", message: "prompt is too long: 208317 tokens > 200000 maximum" },
  request_id: "req_011CSHpr0mptT00L0ngUUqR7F",
};
function anthropicError(type: string, message: string): JsonObject {
  return { type: "error", error: { type, message }, request_id: "req_011CSHxxxxxxxxxxxxxxxxxxxxx" };
}

const OPENAI_503 = {
  error: { message: "The server is overloaded or not ready yet.", type: "server_error", param: null, code: null },
};
const OPENAI_QUOTA = {
  error: {
    message:
      "You exceeded your current quota, please check your plan and billing details. For more information on this error, read the docs: https://platform.openai.com/docs/guides/error-codes/api-errors.",
    type: "insufficient_quota",
    param: null,
    code: "insufficient_quota",
  },
};
const OPENAI_RATE_LIMIT = {
  error: {
    message:
      "Rate limit reached for gpt-4.1 in organization org-abc123 on tokens per min (TPM): Limit 30000, Used 29500, Requested 1200. Please try again in 1.4s.",
    type: "tokens",
    param: null,
    code: "rate_limit_exceeded",
  },
};
const OPENAI_401 = {
  error: {
    message:
      "Incorrect API key provided: sk-proj-****abcd. You can find your API key at https://platform.openai.com/account/api-keys.",
    type: "invalid_request_error",
    param: null,
    code: "invalid_api_key",
  },
};
const OPENAI_403 = {
  error: {
    code: "unsupported_country_region_territory",
    message: "Country, region, or territory not supported",
    param: null,
    type: "request_forbidden",
  },
};
const OPENAI_404 = {
  error: {
    message: "The model `gpt-9-turbo` does not exist or you do not have access to it.",
    type: "invalid_request_error",
    param: null,
    code: "model_not_found",
  },
};
const OPENAI_500 = {
  error: {
    message: "The server had an error while processing your request. Sorry about that!",
    type: "server_error",
    param: null,
    code: null,
  },
};
const OPENAI_CONTEXT = {
  error: {
    message:
      "This model's maximum context length is 128000 tokens. However, your messages resulted in 130532 tokens. Please reduce the length of the messages.",
    type: "invalid_request_error",
    param: "messages",
    code: "context_length_exceeded",
  },
};

/** Azure prompt filter as observed on the wire (§4.3): innererror, content_filter_result, type null, status. */
const AZURE_PROMPT_FILTER = {
  error: {
    message:
      "The response was filtered due to the prompt triggering Azure OpenAI's content management policy. Please modify your prompt and retry. To learn more about our content filtering policies please read our documentation: https://go.microsoft.com/fwlink/?linkid=2198766",
    type: null,
    param: "prompt",
    code: "content_filter",
    status: 400,
    innererror: {
      code: "ResponsibleAIPolicyViolation",
      content_filter_result: {
        hate: { filtered: false, severity: "safe" },
        jailbreak: { filtered: false, detected: false },
        self_harm: { filtered: false, severity: "safe" },
        sexual: { filtered: true, severity: "medium" },
        violence: { filtered: false, severity: "safe" },
      },
    },
  },
};
/** The spec's shape (§4.3): inner_error with content_filter_results; here without a top-level code. */
const AZURE_SPEC_FILTER = {
  error: {
    message: "The prompt was blocked by the content filter.",
    param: "prompt",
    type: "error",
    inner_error: {
      code: "ResponsibleAIPolicyViolation",
      content_filter_results: { violence: { filtered: true, severity: "high" } },
    },
  },
};
const AZURE_429 = {
  error: {
    code: "429",
    message:
      "Requests to the ChatCompletions_Create Operation under Azure OpenAI API version 2024-10-21 have exceeded token rate limit of your current OpenAI S0 pricing tier. Please retry after 6 seconds. Please go here: https://aka.ms/oai/quotaincrease if you would like to further increase the default rate limit.",
  },
};
const AZURE_DEPLOYMENT_NOT_FOUND = {
  error: {
    code: "DeploymentNotFound",
    message:
      "The API deployment for this resource does not exist. If you created the deployment within the last 5 minutes, please wait a moment and try again.",
  },
};
const AZURE_503 = {
  error: {
    code: "ServiceUnavailable",
    message: "The service is temporarily unable to process your request. Please try again later.",
  },
};

// ---------------------------------------------------------------------------------------------------------

describe("Anthropic upstream errors → OpenAI-dialect clients (§5.7)", () => {
  for (const client of OPENAI_CLIENTS) {
    describe(client, () => {
      it("529 overloaded_error → 503, type server_error/overloaded_error, code overloaded", () => {
        const out = relay("anthropic", client, 529, ANTHROPIC_OVERLOADED);
        expect(out.status).toBe(503);
        expect(["server_error", "overloaded_error"]).toContain(dig(out.body, "error", "type"));
        expect(dig(out.body, "error", "message")).toBe("Overloaded");
        expect(dig(out.body, "error", "code")).toBe("overloaded");
      });

      it("402 billing_error → 429 insufficient_quota", () => {
        const out = relay("anthropic", client, 402, ANTHROPIC_BILLING);
        expect(out.status).toBe(429);
        expect(dig(out.body, "error", "type")).toBe("insufficient_quota");
        expect(dig(out.body, "error", "code")).toBe("insufficient_quota");
      });

      it("429 rate_limit_error → 429 rate_limit_exceeded", () => {
        const out = relay(
          "anthropic",
          client,
          429,
          anthropicError(
            "rate_limit_error",
            "This request would exceed the rate limit for your organization of 400,000 input tokens per minute.",
          ),
        );
        expect(out.status).toBe(429);
        expect(dig(out.body, "error", "code")).toBe("rate_limit_exceeded");
      });

      const plain: [number, string, string][] = [
        [401, "authentication_error", "invalid x-api-key"],
        [403, "permission_error", "Your API key does not have permission to use the specified resource."],
        [404, "not_found_error", "model: claude-sonet-4-5"],
        [413, "request_too_large", "Request exceeds the maximum allowed number of bytes."],
        [500, "api_error", "Internal server error"],
        [504, "timeout_error", "Request timed out"],
      ];
      for (const [status, type, message] of plain) {
        it(`${status} ${type} → ${status}`, () => {
          const out = relay("anthropic", client, status, anthropicError(type, message));
          expect(out.status).toBe(status);
          expect(dig(out.body, "error", "message")).toBe(message);
          expect(dig(out.body, "error")).toHaveProperty("type");
          expect(dig(out.body, "error")).toHaveProperty("param");
          expect(dig(out.body, "error")).toHaveProperty("code");
        });
      }

      it("500 api_error → server_error type", () => {
        const out = relay("anthropic", client, 500, anthropicError("api_error", "Internal server error"));
        expect(dig(out.body, "error", "type")).toBe("server_error");
      });

      it("'prompt is too long' → 400 invalid_request_error / context_length_exceeded", () => {
        const out = relay("anthropic", client, 400, ANTHROPIC_PROMPT_TOO_LONG);
        expect(out).toEqual({
          status: 400,
          body: {
            error: {
              message: "prompt is too long: 208317 tokens > 200000 maximum",
              type: "invalid_request_error",
              param: null,
              code: "context_length_exceeded",
            },
          },
        });
      });
    });
  }

  it("decodeError: 529 maps to the standard 503 in the IR, in-stream errors (status 200) take their kind's status", () => {
    expect(codecs.anthropic.decodeError(529, ANTHROPIC_OVERLOADED)).toMatchObject({
      status: 503,
      kind: "overloaded",
      message: "Overloaded",
    });
    expect(
      codecs.anthropic.decodeError(200, { type: "error", error: { type: "overloaded_error", message: "Overloaded" } }),
    ).toMatchObject({ status: 503, kind: "overloaded" });
    expect(
      codecs.anthropic.decodeError(200, {
        type: "error",
        error: { type: "api_error", message: "Internal server error" },
      }),
    ).toMatchObject({ status: 500, kind: "server" });
    expect(codecs.anthropic.decodeError(400, ANTHROPIC_PROMPT_TOO_LONG)).toMatchObject({
      status: 400,
      kind: "context_length",
    });
  });

  it("413 without a JSON body (Cloudflare, §3.9) → request_too_large", () => {
    const err = codecs.anthropic.decodeError(
      413,
      "<html><head><title>413 Request Entity Too Large</title></head></html>",
    );
    expect(err).toMatchObject({ status: 413, kind: "request_too_large" });
    expect(codecs["openai-chat"].encodeError(err).status).toBe(413);
    expect(codecs.anthropic.encodeError(err)).toMatchObject({
      status: 413,
      body: { type: "error", error: { type: "request_too_large" } },
    });
  });
});

describe("OpenAI / Azure upstream errors → Anthropic clients (§5.7)", () => {
  const cases: { name: string; status: number; body: Json | string; expect: [number, string] }[] = [
    { name: "OpenAI 503 server_error (overloaded)", status: 503, body: OPENAI_503, expect: [529, "overloaded_error"] },
    { name: "Azure 503", status: 503, body: AZURE_503, expect: [529, "overloaded_error"] },
    { name: "401 invalid_api_key", status: 401, body: OPENAI_401, expect: [401, "authentication_error"] },
    { name: "403", status: 403, body: OPENAI_403, expect: [403, "permission_error"] },
    { name: "404 model_not_found", status: 404, body: OPENAI_404, expect: [404, "not_found_error"] },
    { name: "413 (proxy body)", status: 413, body: "413 Request Entity Too Large", expect: [413, "request_too_large"] },
    { name: "429 rate_limit_exceeded", status: 429, body: OPENAI_RATE_LIMIT, expect: [429, "rate_limit_error"] },
    { name: "429 insufficient_quota (billing)", status: 429, body: OPENAI_QUOTA, expect: [402, "billing_error"] },
    { name: "500 server_error", status: 500, body: OPENAI_500, expect: [500, "api_error"] },
    { name: "504 gateway timeout", status: 504, body: "upstream request timeout", expect: [504, "timeout_error"] },
    {
      name: "400 context_length_exceeded",
      status: 400,
      body: OPENAI_CONTEXT,
      expect: [400, "invalid_request_error"],
    },
    {
      name: "Azure 400 prompt filter (innererror)",
      status: 400,
      body: AZURE_PROMPT_FILTER,
      expect: [400, "invalid_request_error"],
    },
    { name: "Azure 429 code '429'", status: 429, body: AZURE_429, expect: [429, "rate_limit_error"] },
    {
      name: "Azure 404 DeploymentNotFound",
      status: 404,
      body: AZURE_DEPLOYMENT_NOT_FOUND,
      expect: [404, "not_found_error"],
    },
  ];
  for (const c of cases) {
    it(`${c.name} → ${c.expect[0]} ${c.expect[1]}`, () => {
      const out = relay("openai-chat", "anthropic", c.status, c.body);
      const message = typeof c.body === "string" ? expect.any(String) : (dig(c.body, "error", "message") as string);
      expect(out).toEqual({
        status: c.expect[0],
        body: { type: "error", error: { type: c.expect[1], message } },
      });
    });
  }
});

describe("decoding OpenAI / Azure error bodies (§1.6, §4.3, §6 item 27)", () => {
  it("OpenAI 503 → overloaded", () => {
    expect(codecs["openai-chat"].decodeError(503, OPENAI_503)).toMatchObject({ status: 503, kind: "overloaded" });
  });

  it("insufficient_quota → billing; OpenAI clients get it back as 429 insufficient_quota", () => {
    const err = codecs["openai-chat"].decodeError(429, OPENAI_QUOTA);
    expect(err.kind).toBe("billing");
    const out = codecs["openai-responses"].encodeError(err);
    expect(out.status).toBe(429);
    expect(dig(out.body, "error", "code")).toBe("insufficient_quota");
  });

  it("Azure prompt filter (observed shape): content_filter, param prompt, code content_filter", () => {
    const err = codecs["openai-chat"].decodeError(400, AZURE_PROMPT_FILTER);
    expect(err).toMatchObject({
      status: 400,
      kind: "content_filter",
      param: "prompt",
      code: "content_filter",
      message: AZURE_PROMPT_FILTER.error.message,
    });
    expect(codecs["openai-chat"].encodeError(err)).toEqual({
      status: 400,
      body: {
        error: {
          message: AZURE_PROMPT_FILTER.error.message,
          type: "invalid_request_error",
          param: "prompt",
          code: "content_filter",
        },
      },
    });
  });

  it("Azure spec shape: inner_error.code ResponsibleAIPolicyViolation alone → content_filter", () => {
    expect(codecs["openai-chat"].decodeError(400, AZURE_SPEC_FILTER)).toMatchObject({
      status: 400,
      kind: "content_filter",
      param: "prompt",
    });
  });

  it("Azure 429 with string code '429' and no type → rate_limit", () => {
    expect(codecs["openai-chat"].decodeError(429, AZURE_429)).toMatchObject({ status: 429, kind: "rate_limit" });
  });

  it("Azure DeploymentNotFound → not_found", () => {
    expect(codecs["openai-chat"].decodeError(404, AZURE_DEPLOYMENT_NOT_FOUND)).toMatchObject({
      status: 404,
      kind: "not_found",
      code: "DeploymentNotFound",
    });
  });

  it("401 invalid_api_key (type invalid_request_error) → authentication", () => {
    expect(codecs["openai-chat"].decodeError(401, OPENAI_401)).toMatchObject({ status: 401, kind: "authentication" });
  });

  it("context_length_exceeded → context_length with its param", () => {
    expect(codecs["openai-chat"].decodeError(400, OPENAI_CONTEXT)).toMatchObject({
      status: 400,
      kind: "context_length",
      param: "messages",
      code: "context_length_exceeded",
    });
  });

  it("overloaded and billing to OpenAI clients: openaiStatus 503 / 429", () => {
    const overloaded: ErrorInfo = { status: 503, kind: "overloaded", message: "Overloaded" };
    expect(codecs["openai-chat"].encodeError(overloaded).status).toBe(503);
    expect(codecs.anthropic.encodeError(overloaded)).toEqual({
      status: 529,
      body: { type: "error", error: { type: "overloaded_error", message: "Overloaded" } },
    });
    const billing: ErrorInfo = { status: 402, kind: "billing", message: "Your credit balance is too low." };
    expect(codecs["openai-responses"].encodeError(billing).status).toBe(429);
    expect(codecs.anthropic.encodeError(billing)).toEqual({
      status: 402,
      body: { type: "error", error: { type: "billing_error", message: "Your credit balance is too low." } },
    });
  });
});

describe("recorded error bodies (fixtures, JSON-BODY)", () => {
  it("anthropic/error-http-400-invalid-request.json (HTTP 400)", () => {
    const body = jsonFixture("anthropic/error-http-400-invalid-request.json");
    const message = "This model does not support effort level 'xhigh'. Supported levels: high, low, max, medium.";
    expect(codecs.anthropic.decodeError(400, body)).toMatchObject({ status: 400, kind: "invalid_request", message });
    for (const client of OPENAI_CLIENTS) {
      const out = relay("anthropic", client, 400, body);
      expect(out.status).toBe(400);
      expect(dig(out.body, "error", "type")).toBe("invalid_request_error");
      expect(dig(out.body, "error", "message")).toBe(message);
    }
    expect(relay("anthropic", "anthropic", 400, body)).toEqual({
      status: 400,
      body: { type: "error", error: { type: "invalid_request_error", message } },
    });
  });

  it("anthropic/error-http-404-not-found.json (HTTP 404)", () => {
    const body = jsonFixture("anthropic/error-http-404-not-found.json");
    expect(codecs.anthropic.decodeError(404, body)).toMatchObject({
      status: 404,
      kind: "not_found",
      message: "model: claude-sonet-4-5",
    });
    for (const client of OPENAI_CLIENTS) {
      const out = relay("anthropic", client, 404, body);
      expect(out.status).toBe(404);
      expect(dig(out.body, "error", "message")).toBe("model: claude-sonet-4-5");
    }
  });

  it("openai-chat/error-http-400-unsupported-value.json (HTTP 400): param and code kept", () => {
    const body = jsonFixture("openai-chat/error-http-400-unsupported-value.json");
    const message = "Unsupported value: 'messages[0].role' does not support 'developer' with this model.";
    const err = codecs["openai-chat"].decodeError(400, body);
    expect(err).toMatchObject({
      status: 400,
      kind: "invalid_request",
      message,
      param: "messages[0].role",
      code: "unsupported_value",
    });
    expect(codecs["openai-chat"].encodeError(err)).toEqual({
      status: 400,
      body: {
        error: { message, type: "invalid_request_error", param: "messages[0].role", code: "unsupported_value" },
      },
    });
    expect(relay("openai-chat", "anthropic", 400, body)).toEqual({
      status: 400,
      body: { type: "error", error: { type: "invalid_request_error", message } },
    });
  });

  it("openai-responses/error-http-400-reasoning-item-without-following-item.json (HTTP 400)", () => {
    const body = jsonFixture("openai-responses/error-http-400-reasoning-item-without-following-item.json");
    const err = codecs["openai-responses"].decodeError(400, body);
    expect(err).toMatchObject({ status: 400, kind: "invalid_request", param: "input" });
    expect(err.message).toMatch(/^Item 'rs_68c42de0.*without its required following item\.$/);
    expect(relay("openai-responses", "anthropic", 400, body).status).toBe(400);
  });

  it("openrouter/error-http-429-provider-rate-limited.json (HTTP 429, numeric code)", () => {
    const body = jsonFixture("openrouter/error-http-429-provider-rate-limited.json");
    const err = codecs["openai-chat"].decodeError(429, body);
    expect(err).toMatchObject({ status: 429, kind: "rate_limit", message: "Provider returned error" });
    expect(relay("openai-chat", "anthropic", 429, body)).toEqual({
      status: 429,
      body: { type: "error", error: { type: "rate_limit_error", message: "Provider returned error" } },
    });
  });
});

describe("in-stream errors (§2.6 both shapes, §6 item 15)", () => {
  it("Responses nested shape (fixture error event) and response.failed → billing", () => {
    const lines = textFixture("openai-responses/error-event-insufficient-quota-then-response-failed.chunks.txt")
      .split("\n")
      .filter((l) => l.trim().length > 0)
      .map((l) => JSON.parse(l) as JsonObject);
    const errorEvent = lines.find((l) => l.type === "error");
    const failed = lines.find((l) => l.type === "response.failed");
    const fromEvent = codecs["openai-responses"].decodeError(200, errorEvent as Json);
    expect(fromEvent).toMatchObject({ status: 402, kind: "billing", code: "insufficient_quota" });
    expect(fromEvent.message).toMatch(/^You exceeded your current quota/);
    const fromFailed = responsesFailure(dig(failed, "response") as JsonObject);
    expect(fromFailed).toMatchObject({ kind: "billing", code: "insufficient_quota" });
    // An Anthropic client gets a billing_error; an OpenAI client a 429 insufficient_quota.
    expect(codecs.anthropic.encodeError(fromEvent)).toMatchObject({
      status: 402,
      body: { error: { type: "billing_error" } },
    });
    expect(codecs["openai-chat"].encodeError(fromEvent).status).toBe(429);
  });

  it("Responses nested shape seen in real traffic (too_many_requests) → rate_limit", () => {
    const err = codecs["openai-responses"].decodeError(200, {
      type: "error",
      sequence_number: 2,
      error: {
        type: "too_many_requests",
        code: "too_many_requests",
        message: "Too many requests. Please slow down.",
        param: null,
      },
    });
    expect(err).toMatchObject({ status: 429, kind: "rate_limit", message: "Too many requests. Please slow down." });
  });

  it("Responses flat (documented) shape → rate_limit", () => {
    const err = codecs["openai-responses"].decodeError(200, {
      type: "error",
      sequence_number: 7,
      code: "rate_limit_exceeded",
      message: "Rate limit reached for gpt-5 in organization org-abc on tokens per min (TPM).",
      param: null,
    });
    expect(err).toMatchObject({ status: 429, kind: "rate_limit", code: "rate_limit_exceeded" });
    expect(err.message).toMatch(/^Rate limit reached/);
  });

  it("Responses flat shape with a context_length_exceeded code", () => {
    const err = codecs["openai-responses"].decodeError(200, {
      type: "error",
      sequence_number: 3,
      code: "context_length_exceeded",
      message: "Your input exceeds the context window of this model.",
      param: "input",
    });
    expect(err).toMatchObject({ status: 400, kind: "context_length", param: "input" });
  });

  it("Groq `event: error` after HTTP 200 (fixture) → invalid_request", () => {
    const events = parseSseText(
      textFixture("openai-compatible/groq-gpt-oss-reasoning-then-error-event-tool-use-failed.sse"),
    );
    const ev = events.find((e) => e.event === "error");
    expect(ev).toBeDefined();
    const err = codecs["openai-chat"].decodeError(200, JSON.parse(ev!.data) as Json);
    expect(err).toMatchObject({ status: 400, kind: "invalid_request", code: "tool_use_failed" });
  });

  it("the Responses encoder emits both shapes, with sequence_number, then response.failed", () => {
    const text = encodeStream("openai-responses", [
      { type: "start", id: "resp_streamerr0001", model: "gpt-5", created: 1750000000 },
      { type: "error", error: { status: 429, kind: "rate_limit", message: "Slow down", code: "rate_limit_exceeded" } },
    ]);
    const events = sseEvents(text);
    const error = events.find((e) => e.event === "error");
    expect(error?.data).toMatchObject({
      type: "error",
      sequence_number: expect.any(Number),
      code: "rate_limit_exceeded",
      message: "Slow down",
      param: null,
      error: { code: "rate_limit_exceeded", message: "Slow down", param: null },
    });
    const last = events[events.length - 1];
    expect(last?.event).toBe("response.failed");
    expect(dig(last?.data, "response", "status")).toBe("failed");
    expect(dig(last?.data, "response", "error")).toEqual({ code: "rate_limit_exceeded", message: "Slow down" });
    // …and our own decoder reads it back.
    const collected = decodeStream("openai-responses", text);
    expect(collected.error).toMatchObject({ kind: "rate_limit", message: "Slow down" });
  });

  it("an Anthropic overload mid-stream reaches a Responses client with an OpenAI error code (§2.4 codes)", () => {
    const err = codecs.anthropic.decodeError(200, {
      type: "error",
      error: { type: "overloaded_error", message: "Overloaded" },
    });
    const text = encodeStream("openai-responses", [
      { type: "start", id: "resp_streamerr0002", model: "claude", created: 1750000000 },
      { type: "error", error: err },
    ]);
    const failed = sseEvents(text).find((e) => e.event === "response.failed");
    // §2.4: server_error is the code for server-side failures (overloaded is what §5.7 recommends for 503s).
    expect(["server_error", "overloaded"]).toContain(dig(failed?.data, "response", "error", "code"));
  });

  it("the Anthropic encoder emits event: error with the mapped type", () => {
    const text = encodeStream("anthropic", [
      { type: "start", id: "msg_streamerr0003", model: "gpt-5", created: 1750000000 },
      {
        type: "error",
        error: codecs["openai-chat"].decodeError(200, { error: { message: "boom", type: "server_error" } }),
      },
    ]);
    const events = sseEvents(text);
    expect(events[events.length - 1]).toEqual({
      event: "error",
      data: { type: "error", error: { type: "api_error", message: "boom" } },
    });
  });

  it("the Chat encoder emits data: {error:{…}} mid-stream", () => {
    const text = encodeStream("openai-chat", [
      { type: "start", id: "chatcmpl-streamerr0004", model: "claude", created: 1750000000 },
      { type: "error", error: codecs.anthropic.decodeError(200, ANTHROPIC_OVERLOADED) },
    ]);
    const events = sseEvents(text);
    const last = events[events.length - 1];
    expect(last?.event).toBeUndefined();
    expect(dig(last?.data, "error", "message")).toBe("Overloaded");
    expect(["server_error", "overloaded_error"]).toContain(dig(last?.data, "error", "type"));
  });
});

describe("an upstream event that is not JSON", () => {
  const starts: Record<Dialect, string> = {
    anthropic:
      '{"type":"message_start","message":{"id":"msg_1","type":"message","role":"assistant","model":"m","content":[],"usage":{"input_tokens":1,"output_tokens":0}}}',
    "openai-chat":
      '{"id":"c1","object":"chat.completion.chunk","created":1,"model":"m","choices":[{"index":0,"delta":{"role":"assistant","content":"Hi"}}]}',
    "openai-responses":
      '{"type":"response.created","sequence_number":0,"response":{"id":"resp_1","object":"response","created_at":1,"model":"m","status":"in_progress","output":[]}}',
    gemini: '{"candidates":[{"content":{"parts":[{"text":"Hi"}],"role":"model"},"index":0}],"responseId":"r1"}',
  };

  for (const d of Object.keys(starts) as Dialect[]) {
    it(`${d}: ends the stream with a 502 error quoting the event, and reads nothing after it`, () => {
      const dec = codecs[d].createDecoder();
      const events: StreamEvent[] = [];
      const sink = (e: StreamEvent) => events.push(e);
      dec.event({ data: starts[d] }, sink);
      dec.event({ data: "{not json" }, sink);
      dec.event({ data: starts[d] }, sink);
      dec.end(sink);
      const errors = events.filter((e) => e.type === "error");
      expect(errors).toHaveLength(1);
      expect(errors[0]).toMatchObject({
        error: { status: 502, kind: "server", message: "upstream sent an event that is not JSON: {not json" },
      });
      expect(events.at(-1)?.type).toBe("error");
    });
  }
});
