/**
 * Gateway protocol, "API formats", token counting: Claude Code counts in each of its formats, and llmux
 * answers each on every upstream. Bedrock's CountTokens (`/model/{model}/count-tokens`, the InvokeModel body
 * wrapped in `input.invokeModel.body`, answered `{"inputTokens"}`) is sent by AWS's own SDK; Vertex's
 * (`…/models/count-tokens:rawPredict`, the model in the body, answered `{"input_tokens"}`) by Anthropic's
 * Vertex SDK. An Anthropic upstream is asked (with the unwrapped Messages body); the others are estimated.
 */
import type Anthropic from "@anthropic-ai/sdk";
import { AnthropicVertex } from "@anthropic-ai/vertex-sdk";
import { BedrockRuntimeClient, CountTokensCommand, ValidationException } from "@aws-sdk/client-bedrock-runtime";
import { NodeHttpHandler } from "@smithy/node-http-handler";
import { OAuth2Client } from "google-auth-library";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type BedrockFake, makeAwsKey, startBedrockFake } from "../support/bedrock-fake.js";
import { type Body, type Harness, startHarness, UPSTREAM_ALIASES } from "../support/gateway.js";
import { startVertexFake, type VertexFake } from "../support/vertex-fake.js";
import { INVENTED } from "./recorded.js";

const KEY = "llmux-key-for-cloud-counts";
let h: Harness;
let bedrock: BedrockFake;
let vertex: VertexFake;
beforeAll(async () => {
  bedrock = await startBedrockFake("us-east-1");
  const aws = makeAwsKey();
  bedrock.keys.push(aws);
  vertex = await startVertexFake();
  h = await startHarness(() => ({
    auth: { keys: [KEY] },
    providers: {
      bedrock: {
        type: "bedrock",
        api: "invoke",
        region: "us-east-1",
        base_url: bedrock.url,
        access_key_id: aws.accessKeyId,
        secret_access_key: aws.secretAccessKey,
      },
      vertex: {
        type: "vertex",
        project: "llmux-test",
        region: "us-east5",
        base_url: vertex.url,
        credentials: JSON.stringify(vertex.key),
      },
    },
    models: {
      "on-bedrock": { provider: "bedrock", model: "us.anthropic.claude-opus-4-6-v1:0" },
      "on-vertex": { provider: "vertex", model: "claude-opus-4-6@20260101" },
      "on-vertex-gemini": { provider: "vertex", model: "gemini-2.5-pro" },
    },
  }));
});
afterAll(async () => {
  await h?.close();
  await bedrock?.close();
  await vertex?.close();
});

const EVERY_UPSTREAM = [...UPSTREAM_ALIASES, "on-bedrock", "on-vertex", "on-vertex-gemini"];

/** What Claude Code counts: a system prompt, a tool and a conversation. */
const REQUEST: Omit<Anthropic.MessageCountTokensParams, "model"> = {
  system: [{ type: "text", text: "You are a careful assistant." }],
  tools: [{ name: "read_file", description: "Reads a file", input_schema: { type: "object", properties: {} } }],
  messages: [{ role: "user", content: "How many tokens is this question worth, roughly?" }],
};

const awsClient = () =>
  new BedrockRuntimeClient({
    requestHandler: new NodeHttpHandler(),
    region: "us-east-1",
    endpoint: h.url,
    token: { token: KEY },
    authSchemePreference: ["httpBearerAuth"],
    maxAttempts: 1,
  });

/** The InvokeModel body, as CountTokens wraps it. */
const invokeBody = () =>
  new TextEncoder().encode(
    JSON.stringify({
      anthropic_version: "bedrock-2023-05-31",
      anthropic_beta: [INVENTED.beta],
      max_tokens: 100,
      ...REQUEST,
    }),
  );

describe("Bedrock CountTokens, sent by the AWS SDK", () => {
  for (const alias of EVERY_UPSTREAM) {
    it(`answers {inputTokens} through ${alias}`, async () => {
      h.mock.reset();
      const out = await awsClient().send(
        new CountTokensCommand({ modelId: alias, input: { invokeModel: { body: invokeBody() } } }),
      );
      expect(out.$metadata.httpStatusCode).toBe(200);
      expect(out.inputTokens).toBeGreaterThan(10);
    });
  }

  it("asks an Anthropic upstream with the Messages body it wraps", async () => {
    h.mock.reset();
    const out = await awsClient().send(
      new CountTokensCommand({ modelId: "via-anthropic", input: { invokeModel: { body: invokeBody() } } }),
    );
    const asked = h.mock.requests.at(-1)!;
    expect(asked.path).toBe("/v1/messages/count_tokens");
    const body = asked.body as Body;
    expect(body).toEqual({ model: "claude-sonnet-4-5", ...REQUEST });
    expect(asked.headers["anthropic-beta"]).toBe(INVENTED.beta);
    // The mock counts a quarter of the body's length: the number is the upstream's, passed on.
    expect(out.inputTokens).toBe(Math.ceil(JSON.stringify(body).length / 4));
  });

  it("refuses Converse input, naming the field, as a ValidationException", async () => {
    let err: unknown;
    try {
      await awsClient().send(
        new CountTokensCommand({
          modelId: "via-anthropic",
          input: { converse: { messages: [{ role: "user", content: [{ text: "hi" }] }] } },
        }),
      );
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(ValidationException);
    expect((err as Error).message).toContain("input.invokeModel");
  });
});

describe("Vertex count-tokens:rawPredict, sent by Anthropic's Vertex SDK", () => {
  const client = () => {
    const auth = new OAuth2Client();
    auth.setCredentials({ access_token: KEY, expiry_date: Date.now() + 3_600_000 });
    return new AnthropicVertex({
      baseURL: `${h.url}/v1`,
      region: "us-east5",
      projectId: "my-project",
      authClient: auth,
      maxRetries: 0,
    });
  };

  for (const alias of EVERY_UPSTREAM) {
    it(`answers {input_tokens} through ${alias}`, async () => {
      h.mock.reset();
      const out = await client().messages.countTokens({ model: alias, ...REQUEST });
      expect(out.input_tokens).toBeGreaterThan(10);
    });
  }

  it("asks an Anthropic upstream with the body as sent, the model its own", async () => {
    h.mock.reset();
    await client().messages.countTokens({ model: "via-anthropic", ...REQUEST });
    const asked = h.mock.requests.at(-1)!;
    expect(asked.path).toBe("/v1/messages/count_tokens");
    expect(asked.body).toEqual({ model: "claude-sonnet-4-5", ...REQUEST });
  });
});
