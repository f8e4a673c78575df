/**
 * Gateway protocol, "API formats": besides Anthropic Messages, Claude Code speaks Amazon Bedrock's
 * InvokeModel (`CLAUDE_CODE_USE_BEDROCK=1`, `ANTHROPIC_BEDROCK_BASE_URL`) and Vertex AI's rawPredict
 * (`CLAUDE_CODE_USE_VERTEX=1`, `ANTHROPIC_VERTEX_BASE_URL`). llmux serves both on every upstream, behind its
 * own keys; the Bedrock stream is Amazon's binary event stream, read here with AWS's own codec.
 */
import { EventStreamCodec } from "@smithy/core/event-streams";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type Body, type Harness, startHarness } from "../support/gateway.js";
import { INVENTED } from "./recorded.js";

let h: Harness;
const KEY = "llmux-key-for-clouds";
beforeAll(async () => {
  h = await startHarness(() => ({ auth: { keys: [KEY] } }));
});
afterAll(async () => {
  await h.close();
});

const codec = new EventStreamCodec(
  (b: Uint8Array) => Buffer.from(b).toString("utf8"),
  (s: string) => Buffer.from(s, "utf8"),
);

/** Splits Amazon's event stream into messages (each is length-prefixed) and reads each chunk's Anthropic event. */
function bedrockEvents(bytes: Buffer): Body[] {
  const out: Body[] = [];
  for (let at = 0; at < bytes.length; ) {
    const length = bytes.readUInt32BE(at);
    const m = codec.decode(bytes.subarray(at, at + length));
    at += length;
    expect(m.headers[":event-type"]?.value).toBe("chunk");
    const { bytes: b64 } = JSON.parse(Buffer.from(m.body).toString("utf8")) as { bytes: string };
    out.push(JSON.parse(Buffer.from(b64, "base64").toString("utf8")) as Body);
  }
  return out;
}

const invokeBody = (extra: Body = {}) =>
  JSON.stringify({
    anthropic_version: "bedrock-2023-05-31",
    anthropic_beta: ["context-management-2025-06-27", INVENTED.beta],
    max_tokens: 100,
    messages: [{ role: "user", content: "hi" }],
    ...extra,
  });

const bedrock = (model: string, action: string, body: string, key = KEY) =>
  fetch(`${h.url}/model/${encodeURIComponent(model)}/${action}`, {
    method: "POST",
    headers: { "content-type": "application/json", ...(key ? { authorization: `Bearer ${key}` } : {}) },
    body,
  });

const VERTEX = "/v1/projects/my-project/locations/us-east5/publishers/anthropic/models";

describe("Amazon Bedrock InvokeModel", () => {
  it("invoke: an Anthropic upstream gets the Messages body, the betas in its header; the answer is Claude's body", async () => {
    h.mock.enqueue({ blocks: [{ type: "text", text: "hello from bedrock" }] });
    const res = await bedrock("via-anthropic", "invoke", invokeBody({ [INVENTED.field]: { x: 1 } }));
    expect(res.status).toBe(200);
    const body = (await res.json()) as Body;
    expect(body.type).toBe("message");
    expect(body.content[0].text).toBe("hello from bedrock");
    const got = h.mock.requests.at(-1)!;
    expect(got.headers["anthropic-beta"]).toBe(`context-management-2025-06-27,${INVENTED.beta}`);
    expect((got.body as Body).model).toBe("claude-sonnet-4-5");
    expect((got.body as Body).anthropic_version).toBeUndefined();
    expect((got.body as Body)[INVENTED.field]).toEqual({ x: 1 });
  });

  for (const alias of ["via-anthropic", "via-openai-chat", "via-azure-responses", "via-gemini"]) {
    it(`invoke-with-response-stream from ${alias}: Amazon's event stream of Anthropic events`, async () => {
      h.mock.enqueue({ blocks: [{ type: "text", text: "streamed hi" }] });
      const res = await bedrock(alias, "invoke-with-response-stream", invokeBody());
      expect(res.status).toBe(200);
      expect(res.headers.get("content-type")).toBe("application/vnd.amazon.eventstream");
      const events = bedrockEvents(Buffer.from(await res.arrayBuffer()));
      expect(events[0]!.type).toBe("message_start");
      expect(events.at(-1)!.type).toBe("message_stop");
      const text = events
        .filter((e) => e.type === "content_block_delta")
        .map((e) => e.delta.text)
        .join("");
      expect(text).toBe("streamed hi");
    });
  }

  it("refuses a request without an llmux key, and answers the start-up inference-profile lookups", async () => {
    // As Bedrock refuses a call it cannot authenticate (src/server/bedrock-errors.ts).
    const refused = await bedrock("via-anthropic", "invoke", invokeBody(), "");
    expect(refused.status).toBe(403);
    expect(refused.headers.get("x-amzn-errortype")).toBe("AccessDeniedException");
    const profiles = await fetch(`${h.url}/inference-profiles?type=SYSTEM_DEFINED`, {
      headers: { authorization: `Bearer ${KEY}` },
    });
    expect(profiles.status).toBe(200);
    expect(await profiles.json()).toEqual({ inferenceProfileSummaries: [] });
  });
});

describe("Vertex AI rawPredict", () => {
  const vertex = (model: string, method: string, body: string) =>
    fetch(`${h.url}${VERTEX}/${model}:${method}`, {
      method: "POST",
      headers: { "content-type": "application/json", "x-api-key": KEY, "anthropic-beta": INVENTED.beta },
      body,
    });
  const body = JSON.stringify({
    anthropic_version: "vertex-2023-10-16",
    max_tokens: 100,
    messages: [{ role: "user", content: "hi" }],
  });

  it("rawPredict answers Claude's body; the header betas reach an Anthropic upstream", async () => {
    h.mock.enqueue({ blocks: [{ type: "text", text: "hello from vertex" }] });
    const res = await vertex("via-anthropic", "rawPredict", body);
    expect(res.status).toBe(200);
    expect(((await res.json()) as Body).content[0].text).toBe("hello from vertex");
    expect(h.mock.requests.at(-1)!.headers["anthropic-beta"]).toBe(INVENTED.beta);
  });

  for (const alias of ["via-openai-chat", "via-gemini"]) {
    it(`streamRawPredict from ${alias}: Anthropic's event stream`, async () => {
      h.mock.enqueue({ blocks: [{ type: "text", text: "vertex stream" }] });
      const res = await vertex(alias, "streamRawPredict", body);
      expect(res.status).toBe(200);
      const text = await res.text();
      expect(text.startsWith("event: message_start")).toBe(true);
      const deltas = [...text.matchAll(/"text_delta","text":"([^"]*)"/g)].map((m) => m[1]).join("");
      expect(deltas).toBe("vertex stream");
      expect(text).toContain("event: message_stop");
    });
  }
});
