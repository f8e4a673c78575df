/**
 * Vertex AI as an upstream, against a local fake of Google Cloud (test/support/vertex-fake.ts) that only
 * answers calls carrying an access token its token endpoint issued for a JWT assertion signed with the
 * test's service-account key. Every client dialect, through the official SDKs (`openai`,
 * `@anthropic-ai/sdk`, `@google/genai`), reaches Gemini (streamGenerateContent SSE) and Claude
 * (streamRawPredict, Anthropic's SSE) on Vertex: text with usage, a tool call, reasoning; the token is
 * fetched once and reused, fetched again when it nears its expiry; Application Default Credentials and a
 * key file work like an inline key; quota and auth failures reach each client in its own dialect and
 * count as the routing error classes.
 */
import { generateKeyPairSync } from "node:crypto";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { GoogleGenAI } from "@google/genai";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { DIALECTS, type Dialect } from "../../src/ir/types.js";
import { type Body, type Harness, startHarness } from "../support/gateway.js";
import { consumeWithSdk } from "../support/sdk.js";
import {
  assertionProblem,
  signAssertion,
  startVertexFake,
  TOKEN_AUDIENCE,
  type VertexFake,
} from "../support/vertex-fake.js";
import { checkOutcome, SCENARIOS, SCRIPTS } from "./scripts.js";

let fake: VertexFake;
let h: Harness;
let keyFile: string;
const GEMINI = "gemini-2.5-pro";
const CLAUDE = "claude-sonnet-4-5@20250929";

beforeAll(async () => {
  fake = await startVertexFake();
  keyFile = join(mkdtempSync(join(tmpdir(), "llmux-vertex-")), "key.json");
  writeFileSync(keyFile, JSON.stringify(fake.key));
  const vertex = (extra: Record<string, unknown> = {}) => ({
    type: "vertex",
    project: "llmux-test",
    region: "us-east5",
    base_url: fake.url,
    ...extra,
  });
  h = await startHarness(() => ({
    providers: {
      vertex: vertex({ credentials: JSON.stringify(fake.key) }),
      "vertex-file": vertex({ credentials: keyFile }),
      "vertex-short": vertex({ credentials: JSON.stringify(fake.key) }),
      "vertex-adc": vertex(),
      "vertex-wrong-key": vertex({ credentials: JSON.stringify({ ...fake.key, private_key: otherKey() }) }),
      "vertex-slow": vertex({ credentials: JSON.stringify(fake.key), timeout_ms: 1500 }),
      // Its own deployment: the rate limits other tests provoke on `vertex` never cool this one down.
      "vertex-quota": vertex({ credentials: JSON.stringify(fake.key) }),
    },
    models: {
      "v-gemini": { provider: "vertex", model: GEMINI },
      "v-claude": { provider: "vertex", model: CLAUDE },
      "v-file": { provider: "vertex-file", model: GEMINI },
      "v-short": { provider: "vertex-short", model: GEMINI },
      "v-adc": { provider: "vertex-adc", model: CLAUDE },
      "v-wrong-key": { provider: "vertex-wrong-key", model: GEMINI },
      "v-slow": { provider: "vertex-slow", model: GEMINI },
      "v-quota": { provider: "vertex-quota", model: GEMINI, fallbacks: ["backup"] },
      backup: { provider: "anthropic", model: "claude-haiku-4-5" },
    },
  }));
});
afterAll(async () => {
  await h?.close();
  await fake?.close();
});

function otherKey(): string {
  return generateKeyPairSync("rsa", { modulusLength: 2048 })
    .privateKey.export({ type: "pkcs8", format: "pem" })
    .toString();
}

const baseUrl = (client: Dialect) => (client === "anthropic" || client === "gemini" ? h.url : `${h.url}/v1`);

describe("the fake's token endpoint", () => {
  it("grants an assertion signed with the service account's key, and only that", () => {
    const now = Math.floor(Date.now() / 1000);
    const claims = {
      iss: fake.key.client_email,
      scope: "https://www.googleapis.com/auth/cloud-platform",
      aud: TOKEN_AUDIENCE,
      iat: now,
      exp: now + 3600,
    };
    expect(assertionProblem(signAssertion(fake.key, claims), fake.key)).toBeUndefined();
    expect(assertionProblem(signAssertion({ ...fake.key, private_key: otherKey() }, claims), fake.key)).toBe(
      "bad signature",
    );
    expect(assertionProblem(signAssertion(fake.key, { ...claims, aud: "https://elsewhere" }), fake.key)).toMatch(/aud/);
    expect(assertionProblem(signAssertion(fake.key, { ...claims, exp: now - 10 }), fake.key)).toBe("expired");
  });
});

describe.each(DIALECTS)("%s client", (client) => {
  for (const alias of ["v-gemini", "v-claude"] as const) {
    for (const stream of [true, false]) {
      for (const scenario of SCENARIOS) {
        it(`${alias}, ${stream ? "streaming" : "not streaming"}: ${scenario}`, async () => {
          fake.enqueue({ script: SCRIPTS[scenario] });
          const got = await consumeWithSdk(client, baseUrl(client), stream, {
            model: alias,
            prompt: "hello",
            tool: scenario === "tool",
          });
          checkOutcome(got, scenario, { chatStream: client === "openai-chat" && stream, cache: true });
          const call = fake.calls.at(-1)!;
          expect(call.headers.authorization).toMatch(/^Bearer ya29\./);
          const where = "/v1/projects/llmux-test/locations/us-east5/publishers";
          // Upstreams are called streaming, whatever the client asked (passthrough keeps the client's choice).
          const streamed = stream || !(alias === "v-claude" && client === "anthropic");
          if (alias === "v-gemini")
            expect(call.path).toBe(
              `${where}/google/models/${GEMINI}:${streamed ? "streamGenerateContent?alt=sse" : "generateContent"}`,
            );
          else {
            expect(call.path).toBe(
              `${where}/anthropic/models/${CLAUDE}:${streamed ? "streamRawPredict" : "rawPredict"}`,
            );
            expect(call.body.anthropic_version).toBe("vertex-2023-10-16");
            expect(call.body.model).toBeUndefined();
          }
          expect(call.raw).toContain("hello");
          if (scenario === "tool") expect(call.raw).toContain("get_weather");
        });
      }
    }
  }
});

describe("Vertex credentials", () => {
  it("fetches one token and reuses it while it lives", () => {
    const granted = fake.tokenRequests.filter((t) => t.granted);
    // Every call above went through the inline-key provider: its token was fetched once.
    expect(fake.calls.length).toBeGreaterThan(20);
    expect(granted).toHaveLength(1);
    const tokens = new Set(fake.calls.map((c) => c.headers.authorization));
    expect(tokens.size).toBe(1);
  });

  it("fetches a new token when the one it holds is about to expire", async () => {
    fake.tokenLifetime = 120; // inside the library's five-minute margin: never reused
    try {
      const before = fake.tokenRequests.length;
      for (let i = 0; i < 2; i++) {
        fake.enqueue({ script: SCRIPTS.text });
        const got = await consumeWithSdk("openai-chat", `${h.url}/v1`, false, { model: "v-short" });
        expect(got.text).toBe("Hello from the cloud ✓");
      }
      expect(fake.tokenRequests.slice(before)).toEqual([{ granted: true }, { granted: true }]);
      const [a, b] = fake.calls.slice(-2).map((c) => c.headers.authorization);
      expect(a).not.toBe(b);
    } finally {
      fake.tokenLifetime = 3600;
    }
  });

  it("reads the key from a file", async () => {
    fake.enqueue({ script: SCRIPTS.text });
    const got = await consumeWithSdk("anthropic", h.url, true, { model: "v-file" });
    expect(got.text).toBe("Hello from the cloud ✓");
  });

  it("uses Application Default Credentials (GOOGLE_APPLICATION_CREDENTIALS) when no key is configured", async () => {
    const saved = process.env.GOOGLE_APPLICATION_CREDENTIALS;
    process.env.GOOGLE_APPLICATION_CREDENTIALS = keyFile;
    try {
      fake.enqueue({ script: SCRIPTS.text });
      const got = await consumeWithSdk("openai-responses", `${h.url}/v1`, true, { model: "v-adc" });
      expect(got.text).toBe("Hello from the cloud ✓");
      expect(fake.calls.at(-1)!.path).toContain("/publishers/anthropic/models/");
    } finally {
      if (saved === undefined) delete process.env.GOOGLE_APPLICATION_CREDENTIALS;
      else process.env.GOOGLE_APPLICATION_CREDENTIALS = saved;
    }
  });

  it("never writes the key or an access token to the log", () => {
    const log = JSON.stringify(h.logs);
    expect(h.logs.length).toBeGreaterThan(20);
    expect(log).not.toContain(fake.key.private_key!.split("\n")[5]!);
    for (const c of fake.calls) expect(log).not.toContain(String(c.headers.authorization).slice(7));
  });

  it("a token endpoint that does not answer is a 504 within the provider's timeout", async () => {
    fake.tokenStall = true;
    try {
      const started = Date.now();
      const err = (await consumeWithSdk("anthropic", h.url, false, { model: "v-slow" }).catch((e: unknown) => e)) as {
        status?: number;
        message?: string;
      };
      expect(err.status).toBe(504);
      expect(err.message).toContain("vertex-slow");
      expect(Date.now() - started).toBeLessThan(30_000);
    } finally {
      fake.tokenStall = false;
    }
  });

  it("a key the token endpoint refuses is a 502 naming the provider, in the client's dialect", async () => {
    const calls = fake.calls.length;
    for (const client of DIALECTS) {
      const err = (await consumeWithSdk(client, baseUrl(client), false, { model: "v-wrong-key" }).catch(
        (e: unknown) => e,
      )) as { status?: number; message?: string };
      expect(err.status).toBe(502);
      expect(err.message).toContain("vertex-wrong-key");
      expect(err.message).toMatch(/invalid_grant|bad signature/);
    }
    expect(fake.calls.length).toBe(calls); // nothing reached Vertex without a token
    expect(fake.tokenRequests.at(-1)).toEqual({ granted: false, why: "bad signature" });
  });
});

describe("Vertex token counts", () => {
  it(":countTokens of a Gemini client is Vertex's own count, with the token", async () => {
    const ai = new GoogleGenAI({ apiKey: "k", httpOptions: { baseUrl: h.url, retryOptions: { attempts: 1 } } });
    const counted = await ai.models.countTokens({ model: "v-gemini", contents: "How many?" });
    expect(counted.totalTokens).toBe(42);
    const call = fake.calls.at(-1)!;
    expect(call.path).toBe(`/v1/projects/llmux-test/locations/us-east5/publishers/google/models/${GEMINI}:countTokens`);
    expect(call.headers.authorization).toMatch(/^Bearer ya29\./);
    // A request sent whole: Vertex takes its system instruction and tools beside the contents.
    const contents = [{ role: "user", parts: [{ text: "How many?" }] }];
    const systemInstruction = { parts: [{ text: "Be brief." }] };
    const tools = [{ functionDeclarations: [{ name: "f", description: "a function" }] }];
    const whole = await fetch(`${h.url}/v1beta/models/v-gemini:countTokens`, {
      method: "POST",
      headers: { "content-type": "application/json", "x-goog-api-key": "k" },
      body: JSON.stringify({
        generateContentRequest: { model: "models/v-gemini", contents, systemInstruction, tools, toolConfig: {} },
      }),
    });
    expect(whole.status).toBe(200);
    expect(fake.calls.at(-1)!.body).toEqual({ contents, systemInstruction, tools });
  });
});

describe("Vertex errors", () => {
  const quota = {
    status: 429,
    googleStatus: "RESOURCE_EXHAUSTED",
    message:
      "Quota exceeded for aiplatform.googleapis.com/generate_content_requests_per_minute_per_project_per_base_model",
  };

  it("a quota 429 (RESOURCE_EXHAUSTED) reaches every client as its own rate-limit error", async () => {
    for (const client of DIALECTS) {
      for (const alias of ["v-gemini", "v-claude"]) {
        fake.enqueue(quota);
        const res = await fetchAs(client, alias);
        expect(res.status).toBe(429);
        const body = (await res.json()) as Body;
        expect(errorType(client, body)).toBe(RATE_LIMIT[client]);
        expect(JSON.stringify(body)).toContain("Quota exceeded");
      }
    }
  });

  it("counts as rate_limited for routing: the alias falls back to its next one", async () => {
    fake.enqueue(quota);
    h.mock.enqueue({ blocks: [{ type: "text", text: "from the backup" }] });
    const res = await fetchAs("openai-chat", "v-quota");
    expect(res.status).toBe(200);
    expect(((await res.json()) as { choices: { message: { content: string } }[] }).choices[0]!.message.content).toBe(
      "from the backup",
    );
    expect(res.headers.get("llmux-route")).toMatch(/vertex-quota\/gemini-2\.5-pro: 429 rate_limited/);
  });

  it("Vertex's own refusal of the token (401 UNAUTHENTICATED) is an authentication error for every client", async () => {
    for (const client of DIALECTS) {
      for (const alias of ["v-gemini", "v-claude"]) {
        fake.enqueue({
          status: 401,
          googleStatus: "UNAUTHENTICATED",
          message: "Request had invalid authentication credentials.",
        });
        const res = await fetchAs(client, alias);
        expect(res.status).toBe(401);
        expect(errorType(client, (await res.json()) as Body)).toBe(AUTH[client]);
      }
    }
  });
});

const RATE_LIMIT: Record<Dialect, string> = {
  "openai-chat": "rate_limit_error",
  "openai-responses": "rate_limit_error",
  anthropic: "rate_limit_error",
  gemini: "RESOURCE_EXHAUSTED",
};
const AUTH: Record<Dialect, string> = {
  "openai-chat": "authentication_error",
  "openai-responses": "authentication_error",
  anthropic: "authentication_error",
  gemini: "UNAUTHENTICATED",
};

/** The error's kind as the client's dialect names it. */
function errorType(client: Dialect, body: Body): string {
  return client === "gemini" ? body.error.status : body.error.type;
}

/** A minimal request of each dialect, with fetch: the status and body as the client receives them. */
function fetchAs(client: Dialect, model: string): Promise<Response> {
  const headers = { "content-type": "application/json" };
  if (client === "gemini")
    return fetch(`${h.url}/v1beta/models/${model}:generateContent`, {
      method: "POST",
      headers,
      body: JSON.stringify({ contents: [{ role: "user", parts: [{ text: "hi" }] }] }),
    });
  if (client === "anthropic")
    return fetch(`${h.url}/v1/messages`, {
      method: "POST",
      headers: { ...headers, "anthropic-version": "2023-06-01" },
      body: JSON.stringify({ model, max_tokens: 100, messages: [{ role: "user", content: "hi" }] }),
    });
  if (client === "openai-responses")
    return fetch(`${h.url}/v1/responses`, { method: "POST", headers, body: JSON.stringify({ model, input: "hi" }) });
  return fetch(`${h.url}/v1/chat/completions`, {
    method: "POST",
    headers,
    body: JSON.stringify({ model, messages: [{ role: "user", content: "hi" }] }),
  });
}
