import { request } from "node:http";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type Harness, startHarness } from "../support/gateway.js";

/**
 * A whole answer relayed as it came (a passthrough, its success or the upstream's own error) goes out with its
 * length, as a translated one does, rather than in chunks: the head says how many bytes follow, and they are
 * the body's bytes (characters beyond ASCII among them).
 */

let h: Harness;
beforeAll(async () => {
  h = await startHarness();
});
afterAll(async () => {
  await h.close();
});

interface Raw {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: Buffer;
}

function post(path: string, body: unknown): Promise<Raw> {
  return new Promise((resolve, reject) => {
    const req = request(
      `${h.url}${path}`,
      { method: "POST", headers: { "content-type": "application/json" } },
      (res) => {
        const chunks: Buffer[] = [];
        res.on("data", (c: Buffer) => chunks.push(c));
        res.on("end", () =>
          resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks) }),
        );
        res.on("error", reject);
      },
    );
    req.on("error", reject);
    req.end(JSON.stringify(body));
  });
}

const TEXT = "héllo — ✓ 你好 🙂";

describe("a whole answer's length", () => {
  for (const [client, path, body] of [
    ["Chat", "/v1/chat/completions", { model: "via-openai-chat", messages: [{ role: "user", content: "hi" }] }],
    [
      "Messages",
      "/v1/messages",
      { model: "via-anthropic", max_tokens: 50, messages: [{ role: "user", content: "hi" }] },
    ],
    ["Responses", "/v1/responses", { model: "via-azure-responses", input: "hi" }],
  ] as const)
    it(`a ${client} passthrough answer says its length in bytes, not chunks`, async () => {
      h.mock.enqueue({ blocks: [{ type: "text", text: TEXT }] });
      const r = await post(path, body);
      expect(r.status).toBe(200);
      expect(r.body.toString("utf8")).toContain(TEXT);
      expect(r.headers["transfer-encoding"]).toBeUndefined();
      expect(Number(r.headers["content-length"])).toBe(r.body.length);
      expect(r.body.length).toBeGreaterThan(r.body.toString("utf8").length);
    });

  it("an upstream's own token count, relayed, says its length too", async () => {
    const r = await post("/v1/messages/count_tokens", {
      model: "via-anthropic",
      messages: [{ role: "user", content: TEXT }],
    });
    expect(r.status).toBe(200);
    expect(JSON.parse(r.body.toString("utf8"))).toHaveProperty("input_tokens");
    expect(r.headers["llmux-estimated"]).toBeUndefined();
    expect(r.headers["transfer-encoding"]).toBeUndefined();
    expect(Number(r.headers["content-length"])).toBe(r.body.length);
  });

  it("the upstream's own error relayed to a client of its dialect says its length too", async () => {
    h.mock.enqueue({ blocks: [], httpError: { status: 400, message: `bad — ${TEXT}` } });
    const r = await post("/v1/messages", {
      model: "via-anthropic",
      max_tokens: 50,
      messages: [{ role: "user", content: "hi" }],
    });
    expect(r.status).toBe(400);
    expect(JSON.parse(r.body.toString("utf8"))).toMatchObject({ type: "error", error: { message: `bad — ${TEXT}` } });
    expect(r.headers["transfer-encoding"]).toBeUndefined();
    expect(Number(r.headers["content-length"])).toBe(r.body.length);
  });
});
