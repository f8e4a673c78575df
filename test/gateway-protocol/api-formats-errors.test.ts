/**
 * Gateway protocol, "API formats", errors: on the Bedrock-shaped routes an error is answered as Amazon
 * Bedrock answers it (the exception's name in `x-amzn-errortype`, `{"message"}`, Bedrock's status; inside a
 * stream, an exception frame), so the AWS SDK raises its typed exception and Anthropic's Bedrock SDK (Claude
 * Code's) its error class, both with the upstream's message text. On the Vertex-shaped routes errors keep
 * Anthropic's shape, as Vertex relays Claude's own; Anthropic's Vertex SDK reads them into its error classes.
 */
import { AnthropicBedrock } from "@anthropic-ai/bedrock-sdk";
import Anthropic from "@anthropic-ai/sdk";
import { AnthropicVertex } from "@anthropic-ai/vertex-sdk";
import {
  AccessDeniedException,
  BedrockRuntimeClient,
  InvokeModelCommand,
  InvokeModelWithResponseStreamCommand,
  ResourceNotFoundException,
  ServiceUnavailableException,
  ThrottlingException,
  ValidationException,
} from "@aws-sdk/client-bedrock-runtime";
import { NodeHttpHandler } from "@smithy/node-http-handler";
import { OAuth2Client } from "google-auth-library";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { MockScript } from "../../src/mock/index.js";
import { eventually, type Harness, startHarness } from "../support/gateway.js";

const KEY = "llmux-key-for-cloud-errors";
let h: Harness;
beforeAll(async () => {
  h = await startHarness(() => ({ auth: { keys: [KEY] } }));
});
afterAll(async () => {
  await h.close();
});

/**
 * The AWS SDK, authenticated with llmux's key as a Bedrock API key (bearer), no retries of its own, over
 * HTTP/1.1 (its default handler for this service speaks HTTP/2, which llmux does not serve).
 */
const aws = (key = KEY) =>
  new BedrockRuntimeClient({
    requestHandler: new NodeHttpHandler(),
    region: "us-east-1",
    endpoint: h.url,
    token: { token: key },
    authSchemePreference: ["httpBearerAuth"],
    maxAttempts: 1,
  });

const invoke = (model: string) =>
  new InvokeModelCommand({
    modelId: model,
    contentType: "application/json",
    body: JSON.stringify({
      anthropic_version: "bedrock-2023-05-31",
      max_tokens: 50,
      messages: [{ role: "user", content: "hi" }],
    }),
  });

/** What `send` raised (it must raise). */
async function raised(send: () => Promise<unknown>): Promise<Error & Record<string, unknown>> {
  try {
    await send();
  } catch (err) {
    return err as Error & Record<string, unknown>;
  }
  throw new Error("expected an error");
}

const SIGNATURE = "messages.1.content.0: Invalid `signature` in `thinking` block";
const anthropicRejection = (status: number, type: string, message: string) => ({
  raw: JSON.stringify({ type: "error", error: { type, message }, request_id: "req_011Ca" }),
  rawStatus: status,
  rawType: "application/json",
});
/** Enough of one answer for llmux's own retries of the upstream to meet it every time. */
const times = <T>(n: number, reply: T): T[] => Array.from({ length: n }, () => reply);

describe("the AWS SDK (client-bedrock-runtime) on llmux's Bedrock routes", () => {
  it("a wrong key is an AccessDeniedException", async () => {
    const err = await raised(() => aws("not-a-key").send(invoke("via-anthropic")));
    expect(err).toBeInstanceOf(AccessDeniedException);
    expect(err.$metadata).toMatchObject({ httpStatusCode: 403 });
  });

  it("an Anthropic upstream's rejection is a ValidationException with its message text", async () => {
    h.mock.reset();
    h.mock.enqueue(anthropicRejection(400, "invalid_request_error", SIGNATURE));
    const err = await raised(() => aws().send(invoke("via-anthropic")));
    expect(err).toBeInstanceOf(ValidationException);
    expect(err.message).toBe(SIGNATURE);
    // The AWS SDK's request id is llmux's (x-amzn-requestid), as on its request-log line.
    const id = (err.$metadata as { requestId?: string }).requestId;
    expect(id).toMatch(/^req_/);
    expect(await eventually(() => h.logs.find((l) => l.req_id === id))).toBeDefined();
  });

  it("a rate limit is a ThrottlingException, an overload a ServiceUnavailableException", async () => {
    h.mock.reset();
    h.mock.enqueue(...times(4, anthropicRejection(429, "rate_limit_error", "Number of request tokens exceeded")));
    const limited = await raised(() => aws().send(invoke("via-anthropic")));
    expect(limited).toBeInstanceOf(ThrottlingException);
    expect(limited.message).toBe("Number of request tokens exceeded");
    h.mock.reset();
    h.mock.enqueue(...times(4, anthropicRejection(529, "overloaded_error", "Overloaded")));
    const overloaded = await raised(() => aws().send(invoke("via-anthropic")));
    expect(overloaded).toBeInstanceOf(ServiceUnavailableException);
    expect(overloaded.message).toBe("Overloaded");
    h.mock.reset();
  });

  it("an error of an upstream of another dialect keeps its text", async () => {
    const message = "Unsupported value: 'temperature' does not support 0.2 with this model.";
    h.mock.reset();
    h.mock.enqueue({ httpError: { status: 400, message } });
    const err = await raised(() => aws().send(invoke("via-openai-chat")));
    expect(err).toBeInstanceOf(ValidationException);
    expect(err.message).toContain(message);
  });

  it("an unknown model and an unknown inference profile are ResourceNotFoundExceptions", async () => {
    const err = await raised(() => aws().send(invoke("no-such-model")));
    expect(err).toBeInstanceOf(ResourceNotFoundException);
    const res = await fetch(`${h.url}/inference-profiles/us.anthropic.claude-nothing`, {
      headers: { authorization: `Bearer ${KEY}` },
    });
    expect(res.status).toBe(404);
    expect(res.headers.get("x-amzn-errortype")).toBe("ResourceNotFoundException");
    expect(Object.keys((await res.json()) as object)).toEqual(["message"]);
  });

  for (const alias of ["via-anthropic", "via-openai-chat"]) {
    it(`an error inside the stream from ${alias} is the stream's typed exception`, async () => {
      h.mock.reset();
      const script: MockScript = {
        blocks: [{ type: "text", text: "partial" }],
        streamError: { afterBlocks: 1, kind: "overloaded", message: "Overloaded mid-stream" },
      };
      h.mock.enqueue(script);
      const out = await aws().send(
        new InvokeModelWithResponseStreamCommand({
          modelId: alias,
          contentType: "application/json",
          body: JSON.stringify({
            anthropic_version: "bedrock-2023-05-31",
            max_tokens: 50,
            messages: [{ role: "user", content: "hi" }],
          }),
        }),
      );
      const types: string[] = [];
      const err = await raised(async () => {
        for await (const event of out.body!) {
          if (event.chunk?.bytes)
            types.push((JSON.parse(Buffer.from(event.chunk.bytes).toString("utf8")) as { type: string }).type);
        }
      });
      expect(types[0]).toBe("message_start");
      expect(err).toBeInstanceOf(ServiceUnavailableException);
      expect(err.message).toContain("Overloaded mid-stream");
    });
  }
});

describe("Anthropic's Bedrock SDK (Claude Code's) on llmux's Bedrock routes", () => {
  const client = (key = KEY) =>
    new AnthropicBedrock({ baseURL: h.url, apiKey: key, awsRegion: "us-east-1", maxRetries: 0 });
  const params = { model: "via-anthropic", max_tokens: 50, messages: [{ role: "user" as const, content: "hi" }] };

  it("reads a rejection into BadRequestError with the upstream's wording", async () => {
    h.mock.reset();
    h.mock.enqueue(anthropicRejection(400, "invalid_request_error", SIGNATURE));
    const err = await raised(() => client().messages.create(params));
    expect(err).toBeInstanceOf(Anthropic.BadRequestError);
    expect(err.message).toContain(SIGNATURE);
  });

  it("reads a rate limit into RateLimitError and a wrong key into PermissionDeniedError", async () => {
    h.mock.reset();
    h.mock.enqueue(...times(4, anthropicRejection(429, "rate_limit_error", "slow down")));
    expect(await raised(() => client().messages.create(params))).toBeInstanceOf(Anthropic.RateLimitError);
    h.mock.reset();
    expect(await raised(() => client("wrong").messages.create(params))).toBeInstanceOf(Anthropic.PermissionDeniedError);
  });

  it("streams a turn and raises an error event met inside the stream", async () => {
    h.mock.reset();
    h.mock.enqueue({ blocks: [{ type: "text", text: "hello over bedrock" }] });
    const done = await client().messages.stream(params).finalMessage();
    expect(done.content[0]).toMatchObject({ type: "text", text: "hello over bedrock" });
    h.mock.enqueue({
      blocks: [{ type: "text", text: "partial" }],
      streamError: { afterBlocks: 1, kind: "overloaded", message: "Overloaded mid-stream" },
    });
    const err = await raised(() => client().messages.stream(params).finalMessage());
    expect(err.message).toContain("Overloaded mid-stream");
  });
});

describe("Anthropic's Vertex SDK on llmux's Vertex routes", () => {
  /** Google's own OAuth client holding a token already granted: llmux's key, sent as the bearer token. */
  const google = (token: string) => {
    const auth = new OAuth2Client();
    auth.setCredentials({ access_token: token, expiry_date: Date.now() + 3_600_000 });
    return auth;
  };
  const client = (token = KEY) =>
    new AnthropicVertex({
      baseURL: `${h.url}/v1`,
      region: "us-east5",
      projectId: "my-project",
      authClient: google(token),
      maxRetries: 0,
    });
  const params = { model: "via-anthropic", max_tokens: 50, messages: [{ role: "user" as const, content: "hi" }] };

  it("answers a turn, and reads a rejection into BadRequestError with the upstream's body", async () => {
    h.mock.reset();
    h.mock.enqueue({ blocks: [{ type: "text", text: "hello over vertex" }] });
    const ok = await client().messages.create(params);
    expect(ok.content[0]).toMatchObject({ type: "text", text: "hello over vertex" });
    h.mock.enqueue(anthropicRejection(400, "invalid_request_error", SIGNATURE));
    const err = await raised(() => client().messages.create(params));
    expect(err).toBeInstanceOf(Anthropic.BadRequestError);
    expect(err.message).toContain(SIGNATURE);
    expect((err as unknown as InstanceType<typeof Anthropic.APIError>).type).toBe("invalid_request_error");
  });

  it("reads a wrong token into AuthenticationError and a rate limit into RateLimitError", async () => {
    h.mock.reset();
    expect(await raised(() => client("wrong").messages.create(params))).toBeInstanceOf(Anthropic.AuthenticationError);
    h.mock.enqueue(...times(4, anthropicRejection(429, "rate_limit_error", "slow down")));
    const limited = await raised(() => client().messages.create(params));
    expect(limited).toBeInstanceOf(Anthropic.RateLimitError);
    expect(limited.message).toContain("slow down");
    h.mock.reset();
  });
});
