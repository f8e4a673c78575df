/**
 * The bound on values a request body may hold (JSON_VALUE_LIMIT: array elements and object members, counted
 * before parsing) holds on the two other paths that parse JSON from outside: an upstream's whole (non-streamed)
 * answer, a 502 naming the upstream, and a signed-in client's OTLP/JSON telemetry export, a 400. A few megabytes
 * of `0,0,…` within every other bound (bytes, arrays and objects) held the event loop while parsed. Counted as
 * work (calls of JSON.parse), not time.
 */
import { afterEach, describe, expect, it, vi } from "vitest";
import type { SigninSession } from "../../src/data/signin.js";
import { JSON_CONTAINER_LIMIT, JSON_VALUE_LIMIT } from "../../src/http/json-containers.js";
import { stampExport, TelemetryRefused } from "../../src/signin/telemetry.js";
import { MB, type RawReply, screenReply } from "../../src/upstream/screen.js";

const LIMITS = { eventBytes: 8 * MB, answerBytes: 64 * MB };

/** `n` zeros in one array. */
const zeros = (n: number) => `[${"0,".repeat(n - 1)}0]`;

/** A whole Chat answer whose `x` member holds `values` more values. */
const chatAnswer = (values: string) =>
  `{"id":"c1","object":"chat.completion","created":1,"model":"m","choices":[{"index":0,"finish_reason":"stop","message":{"role":"assistant","content":"hi"}}],"x":${values}}`;

function reply(text: string): RawReply {
  return {
    status: 200,
    headers: { "content-type": "application/json" },
    body: (async function* () {
      // In pieces, as a socket gives it.
      const b = Buffer.from(text);
      for (let i = 0; i < b.length; i += 64 * 1024) yield b.subarray(i, i + 64 * 1024);
    })(),
    dump: async () => undefined,
  };
}

async function bodyText(r: RawReply): Promise<string> {
  const parts: Buffer[] = [];
  for await (const p of r.body) parts.push(Buffer.from(p));
  return Buffer.concat(parts).toString("utf8");
}

let parse: ReturnType<typeof vi.spyOn> | undefined;
afterEach(() => {
  parse?.mockRestore();
  parse = undefined;
});

describe("an upstream's whole answer", () => {
  it("of 1.5 million small values (within its bytes and its arrays and objects) is a 502 naming the upstream, never parsed", async () => {
    const text = chatAnswer(`[${zeros(750_000)},${zeros(750_000)}]`);
    expect(text.length).toBeLessThan(LIMITS.answerBytes);
    parse = vi.spyOn(JSON, "parse");
    const r = await screenReply(reply(text), "openai-chat", "openai-chat", LIMITS, "acme (api.acme.test)");
    expect(parse).not.toHaveBeenCalled();
    expect(r.status).toBe(502);
    expect(r.whole).toBeUndefined();
    const body = await bodyText(r);
    expect(body).toContain("upstream acme (api.acme.test)");
    expect(body).toContain(`its answer holds more than ${JSON_VALUE_LIMIT.toLocaleString("en-US")} values`);
  });

  it("of more arrays and objects than a body may hold is still a 502 saying so", async () => {
    // Nested, without commas: past the arrays and objects before the values.
    const text = chatAnswer(`${"[".repeat(JSON_CONTAINER_LIMIT + 1)}${"]".repeat(JSON_CONTAINER_LIMIT + 1)}`);
    const r = await screenReply(reply(text), "openai-chat", "openai-chat", LIMITS, "acme");
    expect(r.status).toBe(502);
    expect(await bodyText(r)).toContain("arrays and objects");
  });

  it("just within the bound is read and parsed once, as any answer", async () => {
    const text = chatAnswer(zeros(JSON_VALUE_LIMIT - 100));
    const r = await screenReply(reply(text), "openai-chat", "openai-chat", LIMITS, "acme");
    expect(r.status).toBe(200);
    expect(r.whole?.text).toBe(text);
    expect((r.whole?.json as { x?: number[] } | undefined)?.x).toHaveLength(JSON_VALUE_LIMIT - 100);
  });
});

const SESSION: SigninSession = {
  id: "sis_1",
  subject: "sub",
  email: "dev@example.com",
  name: null,
  groups: [],
  teamId: null,
  surface: null,
  userAgent: null,
  accessExpiresAt: 0,
  createdAt: 0,
  refreshedAt: 0,
  expiresAt: 0,
  revokedAt: null,
  idpTokens: null,
  team: undefined,
};

/** An OTLP/JSON traces export whose one span's attributes hold `values`. */
const traces = (values: string) =>
  `{"resourceSpans":[{"resource":{"attributes":[]},"scopeSpans":[{"spans":[{"traceId":"01","spanId":"02","name":"x","attributes":${values}}]}]}]}`;

describe("a signed-in client's OTLP/JSON export", () => {
  it("of 1.5 million small values is a 400 saying so, never parsed", async () => {
    const raw = Buffer.from(traces(`[${zeros(750_000)},${zeros(750_000)}]`));
    parse = vi.spyOn(JSON, "parse");
    const err = await stampExport(raw, "traces", "application/json", undefined, SESSION).catch((e: unknown) => e);
    expect(parse).not.toHaveBeenCalled();
    expect(err).toBeInstanceOf(TelemetryRefused);
    const refused = err as TelemetryRefused;
    expect(refused.status).toBe(400);
    expect(refused.type).toBe("invalid_request_error");
    expect(refused.message).toContain(`more than ${JSON_VALUE_LIMIT.toLocaleString("en-US")} values`);
  });

  it("just within the bound is stamped", async () => {
    const raw = Buffer.from(traces(zeros(JSON_VALUE_LIMIT - 100)));
    const out = await stampExport(raw, "traces", "application/json", undefined, SESSION);
    expect(out.json).toBe(true);
    expect(out.body.toString()).toContain('"dev@example.com"');
  });
});
