/**
 * Amazon Bedrock as an upstream, against a local fake (test/support/bedrock-fake.ts) that recomputes every
 * call's SigV4 signature on its own and answers in AWS's event-stream framing. Every client dialect,
 * through the official SDKs, reaches Claude through ConverseStream (a cross-region inference profile id),
 * another model through Converse, and Claude through InvokeModelWithResponseStream with Anthropic's body:
 * text with usage (cache reads and writes), a tool call, reasoning. Credentials come from the AWS chain:
 * keys in the configuration, the environment, a profile of the shared files, a role assumed through STS,
 * or a Bedrock API key.
 */
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { DIALECTS, type Dialect } from "../../src/ir/types.js";
import {
  type AwsKey,
  type BedrockFake,
  makeAwsKey,
  signatureProblem,
  startBedrockFake,
} from "../support/bedrock-fake.js";
import { type Harness, startHarness } from "../support/gateway.js";
import { consumeWithSdk } from "../support/sdk.js";
import { type StsFake, startStsFake } from "../support/sts-fake.js";
import { checkOutcome, SCENARIOS, SCRIPTS } from "./scripts.js";

const CLAUDE = "us.anthropic.claude-sonnet-4-5-20250929-v1:0";
const NOVA = "amazon.nova-pro-v1:0";

let fake: BedrockFake;
let sts: StsFake;
let h: Harness;
let key: AwsKey;
const envKey = makeAwsKey(true);
const profileKey = makeAwsKey();
let awsDir: string;

beforeAll(async () => {
  fake = await startBedrockFake("us-east-1");
  sts = await startStsFake(fake, "us-east-1");
  key = makeAwsKey();
  fake.keys.push(key, envKey, profileKey);
  fake.apiKeys.push("bedrock-api-key-for-tests");
  awsDir = mkdtempSync(join(tmpdir(), "llmux-aws-"));
  writeFileSync(
    join(awsDir, "credentials"),
    `[llmux-test]\naws_access_key_id = ${profileKey.accessKeyId}\naws_secret_access_key = ${profileKey.secretAccessKey}\n`,
  );
  writeFileSync(
    join(awsDir, "config"),
    `[profile llmux-role]\nrole_arn = arn:aws:iam::123456789012:role/llmux\nsource_profile = llmux-test\nrole_session_name = llmux\nregion = us-east-1\n`,
  );
  const bedrock = (extra: Record<string, unknown> = {}) => ({
    type: "bedrock",
    region: "us-east-1",
    base_url: fake.url,
    ...extra,
  });
  const keys = { access_key_id: key.accessKeyId, secret_access_key: key.secretAccessKey };
  h = await startHarness(() => ({
    providers: {
      bedrock: bedrock(keys),
      "bedrock-invoke": bedrock({ ...keys, api: "invoke" }),
      "bedrock-env": bedrock(),
      "bedrock-profile": bedrock({ profile: "llmux-test" }),
      "bedrock-role": bedrock({ profile: "llmux-role" }),
      "bedrock-apikey": bedrock({ api_key: "bedrock-api-key-for-tests" }),
      "bedrock-nobody": bedrock({ profile: "nobody" }),
    },
    models: {
      "b-claude": { provider: "bedrock", model: CLAUDE },
      "b-nova": { provider: "bedrock", model: NOVA },
      "b-invoke": { provider: "bedrock-invoke", model: CLAUDE },
      "b-env": { provider: "bedrock-env", model: NOVA },
      "b-profile": { provider: "bedrock-profile", model: NOVA },
      "b-role": { provider: "bedrock-role", model: NOVA },
      "b-apikey": { provider: "bedrock-apikey", model: NOVA },
      "b-invoke-nova": { provider: "bedrock-invoke", model: NOVA },
      "b-nobody": { provider: "bedrock-nobody", model: NOVA },
    },
  }));
});
afterAll(async () => {
  await h?.close();
  await sts?.close();
  await fake?.close();
});

const baseUrl = (client: Dialect) => (client === "anthropic" || client === "gemini" ? h.url : `${h.url}/v1`);

/** Runs `fn` with AWS variables set (the credential chain reads them when it first looks). */
async function withEnv<T>(vars: Record<string, string>, fn: () => Promise<T>): Promise<T> {
  const saved = Object.fromEntries(Object.keys(vars).map((k) => [k, process.env[k]]));
  Object.assign(process.env, vars);
  try {
    return await fn();
  } finally {
    for (const [k, v] of Object.entries(saved)) {
      if (v === undefined) delete process.env[k];
      else process.env[k] = v;
    }
  }
}

describe.each(DIALECTS)("%s client", (client) => {
  for (const alias of ["b-claude", "b-nova", "b-invoke"] as const) {
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
          expect(call.signedBy).toBe(key.accessKeyId);
          const model = alias === "b-nova" ? NOVA : CLAUDE;
          expect(call.model).toBe(model);
          // The model id in the path, ':' percent-encoded (and encoded again in the signature's canonical path).
          expect(call.path).toContain(`/model/${encodeURIComponent(model)}/`);
          const streamed = stream || !(alias === "b-invoke" && client === "anthropic");
          if (alias === "b-invoke") {
            expect(call.action).toBe(streamed ? "invoke-with-response-stream" : "invoke");
            expect(call.body.anthropic_version).toBe("bedrock-2023-05-31");
            expect(JSON.stringify(call.body.messages)).toContain("hello");
          } else {
            expect(call.action).toBe("converse-stream");
            // A translated request to Claude carries llmux's prompt-cache breakpoints (cachePoint blocks).
            const cached = alias === "b-claude" && client !== "anthropic";
            const point = cached ? [{ cachePoint: { type: "default" } }] : [];
            expect(call.body.messages).toEqual([{ role: "user", content: [{ text: "hello" }, ...point] }]);
            expect(call.body.inferenceConfig).toMatchObject({ maxTokens: expect.any(Number) });
            if (scenario === "tool")
              expect(call.body.toolConfig).toMatchObject({
                tools: [
                  {
                    toolSpec: {
                      name: "get_weather",
                      inputSchema: { json: { properties: { city: { type: "string" } } } },
                    },
                  },
                  ...point,
                ],
              });
          }
        });
      }
    }
  }
});

describe("the fake's signature check", () => {
  it("holds for llmux's signed calls, and fails when the body, the path or the secret differ", () => {
    const call = fake.calls.find((c) => c.action === "converse-stream")!;
    const body = Buffer.from(JSON.stringify(call.body));
    // The recorded body is re-serialised: check it hashes as sent first.
    expect(call.headers["x-amz-content-sha256"]).toBeDefined();
    const check = (path: string, b: Buffer, keys: AwsKey[]) =>
      signatureProblem("POST", path, call.headers, b, keys, "us-east-1", "bedrock").problem;
    expect(check(call.path, body, [key])).toBeUndefined();
    expect(check(call.path, Buffer.concat([body, Buffer.from(" ")]), [key])).toMatch(/hash/);
    expect(check(call.path.replace("converse-stream", "converse"), body, [key])).toMatch(/does not match/);
    expect(check(call.path, body, [{ ...key, secretAccessKey: makeAwsKey().secretAccessKey }])).toMatch(
      /does not match/,
    );
    expect(check(call.path, body, [makeAwsKey()])).toMatch(/unknown access key/);
  });
});

describe("Bedrock credentials", () => {
  const ask = async (model: string) => {
    fake.enqueue({ script: SCRIPTS.text });
    const got = await consumeWithSdk("openai-chat", `${h.url}/v1`, true, { model });
    expect(got.text).toBe("Hello from the cloud ✓");
    return fake.calls.at(-1)!;
  };

  it("from the environment, with a session token", async () => {
    const call = await withEnv(
      {
        AWS_ACCESS_KEY_ID: envKey.accessKeyId,
        AWS_SECRET_ACCESS_KEY: envKey.secretAccessKey,
        AWS_SESSION_TOKEN: envKey.sessionToken!,
      },
      () => ask("b-env"),
    );
    expect(call.signedBy).toBe(envKey.accessKeyId);
    expect(call.headers["x-amz-security-token"]).toBe(envKey.sessionToken);
  });

  it("from a profile of the shared credentials file", async () => {
    const call = await withEnv(
      { AWS_SHARED_CREDENTIALS_FILE: join(awsDir, "credentials"), AWS_CONFIG_FILE: join(awsDir, "config") },
      () => ask("b-profile"),
    );
    expect(call.signedBy).toBe(profileKey.accessKeyId);
  });

  it("from a role the profile assumes through STS (signed with the source profile's key)", async () => {
    const call = await withEnv(
      {
        AWS_SHARED_CREDENTIALS_FILE: join(awsDir, "credentials"),
        AWS_CONFIG_FILE: join(awsDir, "config"),
        AWS_ENDPOINT_URL_STS: sts.url,
      },
      () => ask("b-role"),
    );
    expect(sts.assumed).toEqual([{ role: "arn:aws:iam::123456789012:role/llmux", signedBy: profileKey.accessKeyId }]);
    expect(call.signedBy).toBe(sts.issued[0]!.accessKeyId);
    expect(call.headers["x-amz-security-token"]).toBe(sts.issued[0]!.sessionToken);
  });

  it("a Bedrock API key goes as a bearer token, unsigned", async () => {
    const call = await ask("b-apikey");
    expect(call.signedBy).toBe("api-key");
    expect(call.headers.authorization).toBe("Bearer bedrock-api-key-for-tests");
  });

  it("no credentials anywhere is a 502 naming the provider, in the client's dialect, and nothing is sent", async () => {
    const before = fake.calls.length;
    const none = join(awsDir, "none");
    const errors = await withEnv(
      { AWS_SHARED_CREDENTIALS_FILE: none, AWS_CONFIG_FILE: none, AWS_EC2_METADATA_DISABLED: "true" },
      () =>
        Promise.all(
          DIALECTS.map(
            (client) =>
              consumeWithSdk(client, baseUrl(client), false, { model: "b-nobody" }).catch(
                (e: unknown) => e,
              ) as Promise<{
                status?: number;
                message?: string;
              }>,
          ),
        ),
    );
    for (const err of errors) {
      expect(err.status).toBe(502);
      expect(err.message).toContain("bedrock-nobody");
      expect(err.message).toMatch(/credentials|[Pp]rofile/);
    }
    expect(fake.calls.length).toBe(before);
  });

  it("never writes a key, a secret or a token to the log", () => {
    const log = JSON.stringify(h.logs);
    expect(h.logs.length).toBeGreaterThan(50);
    for (const k of [key, envKey, profileKey, ...sts.issued]) {
      expect(log).not.toContain(k.secretAccessKey);
      if (k.sessionToken) expect(log).not.toContain(k.sessionToken);
    }
    expect(log).not.toContain("bedrock-api-key-for-tests");
  });

  it("InvokeModel with Anthropic's body serves Claude only: another model is refused, naming model", async () => {
    const res = await fetch(`${h.url}/v1/chat/completions`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ model: "b-invoke-nova", messages: [{ role: "user", content: "hi" }] }),
    });
    expect(res.status).toBe(400);
    const body = (await res.json()) as { error: { param: string; message: string } };
    expect(body.error.param).toBe("model");
    expect(body.error.message).toMatch(/Claude models only/);
  });
});
