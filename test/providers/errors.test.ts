/**
 * Cloud upstream errors, as Bedrock and Vertex send them, reach every client as that client's own error
 * (status, type) and count as the routing error classes (read in the `llmux-route` header of an alias with
 * fallbacks): Bedrock's ThrottlingException, ServiceQuotaExceededException, ServiceUnavailableException,
 * ModelNotReadyException, ModelTimeoutException, InternalServerException, a ValidationException about
 * the context window, AccessDeniedException, and exceptions inside the event stream; Vertex's
 * UNAVAILABLE and its over-long prompt.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { DIALECTS, type Dialect } from "../../src/ir/types.js";
import { type BedrockFake, makeAwsKey, startBedrockFake } from "../support/bedrock-fake.js";
import { type Body, type Harness, startHarness } from "../support/gateway.js";
import { consumeWithSdk } from "../support/sdk.js";
import { startVertexFake, type VertexFake } from "../support/vertex-fake.js";

let bedrock: BedrockFake;
let vertex: VertexFake;
let h: Harness;

beforeAll(async () => {
  bedrock = await startBedrockFake();
  vertex = await startVertexFake();
  const key = makeAwsKey();
  bedrock.keys.push(key);
  const aws = {
    region: "us-east-1",
    base_url: bedrock.url,
    access_key_id: key.accessKeyId,
    secret_access_key: key.secretAccessKey,
  };
  const routed = (provider: string, model: string) => ({
    provider,
    model,
    fallbacks: ["backup"],
    context_window_fallbacks: ["backup"],
  });
  h = await startHarness(() => ({
    providers: {
      converse: { type: "bedrock", ...aws },
      invoke: { type: "bedrock", api: "invoke", ...aws },
      vertex: { type: "vertex", project: "llmux-test", base_url: vertex.url, credentials: JSON.stringify(vertex.key) },
    },
    models: {
      converse: { provider: "converse", model: "us.anthropic.claude-sonnet-4-5-20250929-v1:0" },
      invoke: { provider: "invoke", model: "anthropic.claude-sonnet-4-5-20250929-v1:0" },
      // One deployment per case: a failing deployment cools down, and must not change the next case.
      ...Object.fromEntries(
        BEDROCK_CASES.flatMap((c) => [
          [`converse-${c.type}`, routed("converse", `meta.llama3-3-70b-instruct-v1:0-${c.type}`)],
          [`invoke-${c.type}`, routed("invoke", `anthropic.claude-haiku-4-5-20251001-v1:0-${c.type}`)],
        ]),
      ),
      ...Object.fromEntries(
        VERTEX_CASES.map((c) => [`vertex-${c.googleStatus}`, routed("vertex", `gemini-2.5-flash-${c.googleStatus}`)]),
      ),
      backup: { provider: "anthropic", model: "claude-haiku-4-5" },
    },
  }));
});
beforeEach(() => {
  bedrock.reset();
  vertex.reset();
  h.mock.reset();
});
afterAll(async () => {
  await h?.close();
  await bedrock?.close();
  await vertex?.close();
});

type Kind = "rate_limit" | "overloaded" | "context_length" | "permission" | "timeout" | "server";

/** What each client is told for a kind of failure: its status and its own name for the kind. */
const TOLD: Record<Kind, Record<Dialect, [number, string]>> = {
  rate_limit: {
    "openai-chat": [429, "rate_limit_error"],
    "openai-responses": [429, "rate_limit_error"],
    anthropic: [429, "rate_limit_error"],
    gemini: [429, "RESOURCE_EXHAUSTED"],
  },
  overloaded: {
    "openai-chat": [503, "server_error"],
    "openai-responses": [503, "server_error"],
    anthropic: [529, "overloaded_error"],
    gemini: [503, "UNAVAILABLE"],
  },
  context_length: {
    "openai-chat": [400, "invalid_request_error"],
    "openai-responses": [400, "invalid_request_error"],
    anthropic: [400, "invalid_request_error"],
    gemini: [400, "INVALID_ARGUMENT"],
  },
  permission: {
    "openai-chat": [403, "permission_error"],
    "openai-responses": [403, "permission_error"],
    anthropic: [403, "permission_error"],
    gemini: [403, "PERMISSION_DENIED"],
  },
  timeout: {
    "openai-chat": [504, "timeout_error"],
    "openai-responses": [504, "timeout_error"],
    anthropic: [504, "timeout_error"],
    gemini: [504, "DEADLINE_EXCEEDED"],
  },
  server: {
    "openai-chat": [500, "server_error"],
    "openai-responses": [500, "server_error"],
    anthropic: [500, "api_error"],
    gemini: [500, "INTERNAL"],
  },
};

interface Case {
  type: string;
  status: number;
  message: string;
  kind: Kind;
  /** The routing error class and the status the attempt loop saw. */
  route: string;
}

const BEDROCK_CASES: Case[] = [
  {
    type: "ThrottlingException",
    status: 429,
    message: "Too many requests, please wait before trying again.",
    kind: "rate_limit",
    route: "429 rate_limited",
  },
  {
    type: "ServiceQuotaExceededException",
    status: 400,
    message: "Your request exceeds the service quota for your account.",
    kind: "rate_limit",
    route: "429 rate_limited",
  },
  {
    type: "ServiceUnavailableException",
    status: 503,
    message: "Service unavailable. Try your request again later.",
    kind: "overloaded",
    route: "503 overloaded",
  },
  {
    type: "ModelNotReadyException",
    status: 429,
    message: "Model is not ready to serve inference requests.",
    kind: "overloaded",
    route: "503 overloaded",
  },
  {
    type: "ModelTimeoutException",
    status: 408,
    message: "Model has timed out in processing the request.",
    kind: "timeout",
    route: "504 timeout",
  },
  {
    type: "InternalServerException",
    status: 500,
    message: "The server encountered an internal error.",
    kind: "server",
    route: "500 server",
  },
  {
    type: "ValidationException",
    status: 400,
    message: "Input is too long for requested model.",
    kind: "context_length",
    route: "400 context_window",
  },
  {
    type: "AccessDeniedException",
    status: 403,
    message: "You don't have access to the model with the specified model ID.",
    kind: "permission",
    route: "403 client",
  },
];

const VERTEX_CASES = [
  {
    status: 503,
    googleStatus: "UNAVAILABLE",
    message: "The model is overloaded. Please try again later.",
    route: "503 overloaded",
  },
  {
    status: 400,
    googleStatus: "INVALID_ARGUMENT",
    message: "The input token count (1200000) exceeds the maximum number of tokens allowed (1048576).",
    route: "400 context_window",
  },
  { status: 500, googleStatus: "INTERNAL", message: "Internal error encountered.", route: "500 server" },
];

/** The error's kind as the client's dialect names it. */
function named(client: Dialect, body: Body): string {
  return client === "gemini" ? body.error.status : body.error.type;
}

/** A minimal request of each dialect, with fetch: the status and body as the client receives them. */
function ask(client: Dialect, model: string): Promise<Response> {
  const headers = { "content-type": "application/json" };
  if (client === "gemini")
    return fetch(`${h.url}/v1beta/models/${model}:streamGenerateContent?alt=sse`, {
      method: "POST",
      headers,
      body: JSON.stringify({ contents: [{ role: "user", parts: [{ text: "hi" }] }] }),
    });
  if (client === "anthropic")
    return fetch(`${h.url}/v1/messages`, {
      method: "POST",
      headers: { ...headers, "anthropic-version": "2023-06-01" },
      body: JSON.stringify({ model, max_tokens: 100, stream: true, messages: [{ role: "user", content: "hi" }] }),
    });
  if (client === "openai-responses")
    return fetch(`${h.url}/v1/responses`, {
      method: "POST",
      headers,
      body: JSON.stringify({ model, input: "hi", stream: true }),
    });
  return fetch(`${h.url}/v1/chat/completions`, {
    method: "POST",
    headers,
    body: JSON.stringify({ model, stream: true, messages: [{ role: "user", content: "hi" }] }),
  });
}

describe.each(["converse", "invoke"] as const)("Bedrock %s errors", (api) => {
  for (const c of BEDROCK_CASES) {
    it(`${c.type} (${c.status}) reaches every client as its own ${c.kind} error`, async () => {
      for (const client of DIALECTS) {
        bedrock.enqueue({ status: c.status, type: c.type, message: c.message });
        const res = await ask(client, api);
        const body = (await res.json()) as Body;
        const [status, name] = TOLD[c.kind][client];
        expect([client, res.status, named(client, body)]).toEqual([client, status, name]);
        expect(JSON.stringify(body)).toContain(c.message.slice(0, 20));
        if (c.kind === "context_length" && client.startsWith("openai"))
          expect(body.error.code).toBe("context_length_exceeded");
      }
    });

    it(`${c.type} counts as ${c.route.split(" ")[1]} for routing`, async () => {
      bedrock.enqueue({ status: c.status, type: c.type, message: c.message });
      h.mock.enqueue({ blocks: [{ type: "text", text: "from the backup" }], chunkChars: 100 });
      const res = await ask("openai-chat", `${api}-${c.type}`);
      const route = res.headers.get("llmux-route") ?? "";
      // InvokeModel's errors are told in Anthropic's dialect, whose overload is a 529.
      expect(route).toContain(`: ${api === "invoke" ? c.route.replace("503 overloaded", "529 overloaded") : c.route}`);
      if (c.route.endsWith("client")) {
        // The request's own fault (no access to the model): answered as it is, not retried elsewhere.
        expect(res.status).toBe(403);
      } else {
        expect(res.status).toBe(200);
        expect(await res.text()).toContain("from the backup");
      }
    });
  }

  it("an exception inside the stream ends it with that error, in every client's SDK", async () => {
    for (const client of DIALECTS) {
      bedrock.enqueue({
        script: {
          blocks: [
            { type: "text", text: "Partial answer" },
            { type: "text", text: "never sent" },
          ],
        },
        streamException: { afterBlocks: 1, type: "throttlingException", message: "Too many tokens, please wait." },
      });
      const base = client === "anthropic" || client === "gemini" ? h.url : `${h.url}/v1`;
      await expect(consumeWithSdk(client, base, true, { model: api }), client).rejects.toThrow(/Too many tokens/);
    }
  });
});

describe("Vertex errors", () => {
  for (const c of VERTEX_CASES) {
    it(`${c.googleStatus} (${c.status}) counts as ${c.route.split(" ")[1]} for routing`, async () => {
      vertex.enqueue(c);
      h.mock.enqueue({ blocks: [{ type: "text", text: "from the backup" }], chunkChars: 100 });
      const res = await ask("anthropic", `vertex-${c.googleStatus}`);
      expect(res.status).toBe(200);
      expect(res.headers.get("llmux-route")).toContain(`: ${c.route}`);
    });
  }
});
