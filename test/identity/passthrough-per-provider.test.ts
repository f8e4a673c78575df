/** auth.passthrough_providers: callers' own keys for those, service keys for the rest. */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type Harness, startHarness } from "../support/gateway.js";
import { call, chat, SERVICE } from "../support/team.js";

let h: Harness;
beforeAll(async () => {
  h = await startHarness(() => ({ auth: { keys: [SERVICE], passthrough_providers: ["anthropic"] } }));
});
afterAll(async () => {
  await h.close();
});

const MESSAGES = { model: "via-anthropic", max_tokens: 10, messages: [{ role: "user", content: "hi" }] };

describe("pass-through allowed per provider", () => {
  it("sends a caller's own key to a listed provider, refuses it elsewhere, and keeps service keys working", async () => {
    h.mock.enqueue({ blocks: [{ type: "text", text: "own" }] });
    const own = await call(h.url, "POST", "/v1/messages", "sk-ant-callers-own", MESSAGES);
    expect(own.status, JSON.stringify(own.body)).toBe(200);
    expect(h.mock.requests.at(-1)!.headers["x-api-key"]).toBe("sk-ant-callers-own");

    const elsewhere = await chat(h, "sk-ant-callers-own", "via-openai-chat");
    expect(elsewhere.status).toBe(403);
    expect(elsewhere.body.error.message).toMatch(/anthropic only/);

    h.mock.enqueue({ blocks: [{ type: "text", text: "svc" }] }, { blocks: [{ type: "text", text: "svc2" }] });
    expect((await chat(h, SERVICE, "via-openai-chat")).status).toBe(200);
    expect(h.mock.requests.at(-1)!.headers.authorization).toBe("Bearer oa-key");
    expect((await call(h.url, "POST", "/v1/messages", SERVICE, MESSAGES)).status).toBe(200);
    expect(h.mock.requests.at(-1)!.headers["x-api-key"]).toBe("an-key");

    expect((await chat(h, "", "via-openai-chat")).status).toBe(401);
    expect(JSON.stringify(h.logs)).not.toContain("sk-ant-callers-own");
  });
});
