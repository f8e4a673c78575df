/**
 * A path whose name segment is not valid percent-encoding (`%ZZ`, a lone `%`, bytes that are not UTF-8) is a
 * 400 in the client's dialect on every route that takes a name from the path, with or without a key, and the
 * log holds no stack: every path decode goes through one safe helper (src/text/path-segment.ts).
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type Body, type Harness, startHarness } from "../support/gateway.js";

const KEY = "sk-good-key-0123456789";

interface Case {
  method: "GET" | "POST" | "DELETE";
  path: string;
  /** Where the error's message is in the dialect's shape. */
  message: (body: Body) => unknown;
  headers?: Record<string, string>;
}

const openai = (b: Body) => b?.error?.message;
const anthropic = (b: Body) => (b?.type === "error" ? b?.error?.message : undefined);
const gemini = (b: Body) => (b?.error?.status ? b.error.message : undefined);
const bedrock = (b: Body) => b?.message;

const CASES: Case[] = [
  { method: "GET", path: "/v1beta/models/%ZZ", message: gemini },
  { method: "POST", path: "/v1beta/models/%ZZ:generateContent", message: gemini },
  { method: "POST", path: "/v1beta/models/%E0%A4%A:streamGenerateContent", message: gemini },
  { method: "GET", path: "/v1/models/%ZZ", message: openai },
  { method: "GET", path: "/v1/responses/%ZZ", message: openai },
  { method: "GET", path: "/v1/responses/%/input_items", message: openai },
  { method: "DELETE", path: "/v1/responses/%ZZ", message: openai },
  { method: "POST", path: "/openai/deployments/%ZZ/chat/completions", message: openai },
  { method: "POST", path: "/mcp/%ZZ", message: openai },
  { method: "POST", path: "/model/%ZZ/invoke", message: bedrock },
  {
    method: "POST",
    path: "/v1/projects/p/locations/l/publishers/anthropic/models/%ZZ:rawPredict",
    message: anthropic,
  },
];

describe("a malformed percent-escape in a path", () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness(() => ({ auth: { keys: [KEY] } }));
  });
  afterAll(() => h.close());

  for (const key of [undefined, KEY])
    it(`is a 400 in the client's dialect on every named route, ${key ? "with" : "without"} a key`, async () => {
      for (const c of CASES) {
        const headers: Record<string, string> = { "content-type": "application/json", ...c.headers };
        if (key) headers.authorization = `Bearer ${key}`;
        const res = await fetch(`${h.url}${c.path}`, {
          method: c.method,
          headers,
          body: c.method === "POST" ? "{}" : undefined,
        });
        const body = (await res.json()) as Body;
        const where = `${c.method} ${c.path}`;
        expect(res.status, where).toBe(400);
        expect(String(c.message(body)), where).toMatch(/percent-encoding/);
      }
      const stacks = h.logs.filter((l) => JSON.stringify(l).includes("URIError") || l.level === 50);
      expect(stacks).toEqual([]);
    });

  it("still decodes a well-formed escape", async () => {
    const res = await fetch(`${h.url}/v1/models/via%2Dopenai%2Dchat`, { headers: { authorization: `Bearer ${KEY}` } });
    expect(res.status).toBe(200);
    expect(((await res.json()) as Body).id).toBe("via-openai-chat");
  });
});
