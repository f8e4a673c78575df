/**
 * Gateway protocol, "Automatic retry and error forwarding": Claude Code's recovery (turning off thinking,
 * signatures or mid-conversation system messages after a rejection) matches on the upstream's wording, so
 * an Anthropic upstream's error body reaches it byte for byte, with its status; an error of an upstream of
 * another dialect reaches it as an Anthropic error that keeps the upstream's message text.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type Harness, startHarness } from "../support/gateway.js";
import { RECORDED, recorded, sameNameModels } from "./recorded.js";

let h: Harness;
beforeAll(async () => {
  h = await startHarness(() => ({ models: sameNameModels("anthropic") }));
});
afterAll(async () => {
  await h.close();
});

/** Rejections Claude Code recovers from, in the API's words (spacing and key order as the API writes them). */
const REJECTIONS = [
  '{"type":"error","error":{"type":"invalid_request_error","message":"messages.1.content.0: Invalid `signature` in `thinking` block"},"request_id":"req_011CaSig"}',
  '{"type": "error", "error": {"type": "invalid_request_error", "message": "thinking: Input tag \'adaptive\' found using \'type\' does not match any of the expected tags: \'disabled\', \'enabled\'"}, "request_id": "req_011CaTag"}',
  '{"error":{"message":"This model does not support effort level \'xhigh\'. Supported levels: high, low, max, medium.","type":"invalid_request_error"},"request_id":"req_011Ca7j","type":"error","future_field":{"hint":"kept"}}',
];

describe("automatic retry and error forwarding", () => {
  for (const [i, body] of REJECTIONS.entries()) {
    it(`passes an Anthropic upstream's error body through unmodified (${i + 1})`, async () => {
      const req = recorded(RECORDED[i % RECORDED.length]!);
      h.mock.enqueue({ raw: body, rawStatus: 400, rawType: "application/json" });
      const res = await fetch(`${h.url}/v1/messages?beta=true`, {
        method: "POST",
        headers: req.headers,
        body: req.raw,
      });
      expect(res.status).toBe(400);
      expect(await res.text()).toBe(body);
    });
  }

  it("passes an overloaded 529 through unmodified", async () => {
    const body = '{"type":"error","error":{"type":"overloaded_error","message":"Overloaded"},"request_id":"req_0"}';
    const req = recorded(RECORDED[0]);
    h.mock.enqueue(...Array.from({ length: 3 }, () => ({ raw: body, rawStatus: 529, rawType: "application/json" })));
    const res = await fetch(`${h.url}/v1/messages?beta=true`, { method: "POST", headers: req.headers, body: req.raw });
    expect(res.status).toBe(529);
    expect(await res.text()).toBe(body);
    h.mock.reset();
  });

  for (const alias of ["via-openai-chat", "via-azure-responses", "via-gemini"]) {
    it(`keeps ${alias}'s message text in the Anthropic error it becomes`, async () => {
      const message = "Unsupported value: 'messages[0].role' does not support 'developer' with this model.";
      const req = recorded(RECORDED[0]);
      req.body.model = alias;
      h.mock.enqueue({ httpError: { status: 400, message } });
      const res = await fetch(`${h.url}/v1/messages?beta=true`, {
        method: "POST",
        headers: req.headers,
        body: JSON.stringify(req.body),
      });
      expect(res.status).toBe(400);
      const got = (await res.json()) as { type: string; error: { type: string; message: string } };
      expect(got.type).toBe("error");
      expect(got.error.type).toBe("invalid_request_error");
      expect(got.error.message).toContain(message);
    });
  }
});
