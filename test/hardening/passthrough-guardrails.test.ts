/**
 * A Chat body passed through to a Chat upstream is scanned by the guardrails on a conversation decoded for the
 * scan alone. A body that decoder refuses (a tool's schema past its bounds, a message that is not an object) used
 * to be let through unscanned: the scan was skipped, and the upstream got the body, secrets and all. It is
 * refused as a translated body is (the decoder's 400 naming the field), so no unscanned text reaches the upstream.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { SCHEMA_DEPTH_LIMIT } from "../../src/ir/json-bounds.js";
import { planted } from "../guardrails/planted.js";
import { type Harness, startHarness } from "../support/gateway.js";

const SECRET = planted("pt-guard")[0]!;

let h: Harness;
beforeAll(async () => {
  h = await startHarness(() => ({
    guardrails: { enabled: true, actions: { secrets: "block", entropy: "off" }, keys: {}, teams: {} },
  }));
});
afterAll(() => h.close());

/** A schema nesting `levels` levels of `properties`. */
function deepSchema(levels: number): object {
  let s: object = { type: "string" };
  for (let i = 1; i < levels; i += 2) s = { type: "object", properties: { a: s } };
  return s;
}

const post = async (body: object) => {
  const res = await fetch(`${h.url}/v1/chat/completions`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify(body),
  });
  return { status: res.status, json: (await res.json()) as { error?: { message?: string; param?: string | null } } };
};

describe("guardrails on a Chat passthrough whose body the decoder refuses", () => {
  for (const [model, how] of [
    ["via-openai-chat", "passed through"],
    ["via-anthropic", "translated"],
  ] as const)
    it(`a secret beside a tool schema past the bound (${how}): a 400 naming the schema, nothing sent upstream`, async () => {
      const before = h.mock.requests.length;
      const r = await post({
        model,
        messages: [{ role: "user", content: `here is my config:\n${SECRET.text}` }],
        tools: [{ type: "function", function: { name: "f", parameters: deepSchema(SCHEMA_DEPTH_LIMIT + 4) } }],
      });
      expect(r.status).toBe(400);
      expect(r.json.error?.param).toBe("tools[0].function.parameters");
      expect(h.mock.requests.length).toBe(before);
      expect(h.mock.requests.slice(before).some((q) => q.raw.includes(SECRET.secret))).toBe(false);
    });

  it("the same secret in a body the decoder reads is blocked on the passthrough", async () => {
    const r = await post({ model: "via-openai-chat", messages: [{ role: "user", content: SECRET.text }] });
    expect(r.status).toBe(400);
    expect(r.json.error?.message).toMatch(/guardrails refused/);
  });
});
