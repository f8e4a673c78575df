/**
 * A body of millions of small arrays and objects is refused before it is parsed: 16 MB of `{},{},…` held the
 * event loop for 8 s and took 1 GB when it was parsed (found by the fuzz suite, fuzz/).
 */
import { describe, expect, it } from "vitest";
import { decodeJson } from "../../src/http/decode-json.js";
import { JSON_CONTAINER_LIMIT, opensMoreThan } from "../../src/http/json-containers.js";
import { startHarness } from "../support/gateway.js";

const objects = (n: number) => `[${"{},".repeat(n - 1)}{}]`;

describe("arrays and objects counted before parsing", () => {
  it("counts what opens outside strings, at the limit and one past it", () => {
    expect(opensMoreThan(objects(JSON_CONTAINER_LIMIT - 1))).toBe(false);
    expect(opensMoreThan(objects(JSON_CONTAINER_LIMIT))).toBe(true);
    expect(opensMoreThan("[[1],[2]]", 3)).toBe(false);
    expect(opensMoreThan("[[1],[2],{}]", 3)).toBe(true);
  });

  it("does not count brackets inside strings, escaped quotes included", () => {
    const text = JSON.stringify({ code: `\\"${"[{".repeat(JSON_CONTAINER_LIMIT)}` });
    expect(opensMoreThan(text)).toBe(false);
    expect(decodeJson(Buffer.from(text)).ok).toBe(true);
  });

  it("refuses such a body with a 400 that says why", () => {
    const decoded = decodeJson(Buffer.from(`{"a":${objects(JSON_CONTAINER_LIMIT + 1)}}`));
    expect(decoded.ok).toBe(false);
    if (!decoded.ok) {
      expect(decoded.error.status).toBe(400);
      expect(decoded.error.message).toMatch(
        new RegExp(`more than ${JSON_CONTAINER_LIMIT.toLocaleString("en-US")} arrays and objects`),
      );
    }
  });

  it("answers a chat request carrying one empty object too many 400, and keeps serving", async () => {
    const h = await startHarness();
    try {
      const body = `{"model":"via-openai-chat","messages":[{"role":"user","content":"hi"}],"metadata":${objects(JSON_CONTAINER_LIMIT + 1)}}`;
      const res = await fetch(`${h.url}/v1/chat/completions`, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body,
      });
      expect(res.status).toBe(400);
      expect(((await res.json()) as { error: { message: string } }).error.message).toMatch(/arrays and objects/);
      const ok = await fetch(`${h.url}/v1/chat/completions`, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({ model: "via-openai-chat", messages: [{ role: "user", content: "hi" }] }),
      });
      expect(ok.status).toBe(200);
      await ok.arrayBuffer();
    } finally {
      await h.close();
    }
  }, 60_000);
});
