/**
 * A request body's list of messages (Chat and Messages `messages`, Responses `input`, Gemini `contents`, a
 * Bedrock InvokeModel body's `messages`) that holds arrays instead of messages is refused cheaply: the fuzz
 * suite's long run found Messages bodies whose `messages` were arrays nested in arrays, millions of values in
 * all, costing 1.1–1.5 s of CPU each. The cost was parsing (linear in the values, but about a tenth of a
 * microsecond each even for `0`, and nothing bounded the values but the body's bytes: 32 MB of `0.5,"x",…` took
 * 0.8 s), not the decoders, which stop at the first element that is not a message. So a body of more than
 * JSON_VALUE_LIMIT values is refused before it is parsed (a 400 saying so), and every dialect's decoder names
 * the first element that is not a message without reading inside it. Both are counted here as work (calls of
 * JSON.parse, reads of the nested value), not time.
 */
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { decodeJson } from "../../src/http/decode-json.js";
import { JSON_VALUE_LIMIT, textBound } from "../../src/http/json-containers.js";
import { InputError } from "../../src/ir/input-error.js";
import type { Dialect, Json, JsonObject } from "../../src/ir/types.js";
import type { Matched } from "../../src/request/route.js";
import { fromCloudBody } from "../../src/server/cloud-body.js";
import { codecs } from "../../src/translate/codecs.js";
import { type Harness, startHarness } from "../support/gateway.js";

/** Arrays nested `levels` deep around a value: what the fuzzer put where a message belongs. */
const nested = (levels: number, inner: Json = 1): Json => {
  let v: Json = inner;
  for (let i = 0; i < levels; i++) v = [v];
  return v;
};

/** Each inbound dialect's body with `list` as its list of messages, and the list's field. */
const LISTS: Record<Dialect | "bedrock", { body: (list: Json[]) => JsonObject; field: string }> = {
  // Another dialect's upstream than the route's own: between two of the same, the body is relayed as it came.
  "openai-chat": { body: (list) => ({ model: "via-anthropic", messages: list }), field: "messages" },
  "openai-responses": { body: (list) => ({ model: "via-openai-chat", input: list }), field: "input" },
  anthropic: { body: (list) => ({ model: "via-openai-chat", max_tokens: 8, messages: list }), field: "messages" },
  gemini: { body: (list) => ({ contents: list }), field: "contents" },
  bedrock: {
    body: (list) => ({ anthropic_version: "bedrock-2023-05-31", max_tokens: 8, messages: list }),
    field: "messages",
  },
};

/** Three good messages of each dialect, then the element under test. */
const GOOD: Record<Dialect | "bedrock", Json> = {
  "openai-chat": { role: "user", content: "hi" },
  "openai-responses": { role: "user", content: "hi" },
  anthropic: { role: "user", content: "hi" },
  gemini: { role: "user", parts: [{ text: "hi" }] },
  bedrock: { role: "user", content: "hi" },
};
const listWith = (d: Dialect | "bedrock", fourth: Json): Json[] => [GOOD[d], GOOD[d], GOOD[d], fourth];

const BEDROCK: Matched = { kind: "generate", dialect: "anthropic", stream: false, front: "bedrock", model: "m" };

/** The decoder's InputError for `json` (a Bedrock body is unwrapped first, as the cloud routes do). */
function refusal(d: Dialect | "bedrock", json: JsonObject): InputError {
  try {
    if (d === "bedrock") {
      const body = fromCloudBody(BEDROCK, { json, raw: Buffer.from("{}") }, {});
      if ("status" in body) throw new Error(`the Bedrock body was refused: ${body.message}`);
      codecs.anthropic.decodeRequest(body.json);
    } else codecs[d].decodeRequest(json);
  } catch (err) {
    if (err instanceof InputError) return err;
    throw err;
  }
  throw new Error("the body was decoded");
}

/** A value whose reads are counted (arrays stay arrays to `Array.isArray`). */
function counted<T extends object>(value: T, reads: { n: number }): T {
  return new Proxy(value, {
    get: (t, k, r) => {
      reads.n++;
      return Reflect.get(t, k, r);
    },
    has: (t, k) => {
      reads.n++;
      return Reflect.has(t, k);
    },
    ownKeys: (t) => {
      reads.n++;
      return Reflect.ownKeys(t);
    },
  });
}

describe("values counted before parsing", () => {
  const flat = (n: number) => `[${"0,".repeat(n - 1)}0]`;

  it("counts array elements and object members outside strings, at the limit and one past it", () => {
    expect(textBound(flat(JSON_VALUE_LIMIT))).toBeUndefined();
    expect(textBound(flat(JSON_VALUE_LIMIT + 1))).toBe("values");
    expect(textBound('{"a":[1,2],"b":3}', 10, 4)).toBeUndefined();
    expect(textBound('{"a":[1,2],"b":3,"c":4}', 10, 4)).toBe("values");
    expect(textBound("[[1],[2],{}]", 3, 100)).toBe("containers");
  });

  it("does not count commas or brackets inside strings, escaped quotes and backslashes included", () => {
    const text = JSON.stringify({ a: `\\"${",[{".repeat(JSON_VALUE_LIMIT)}\\`, b: `"${",".repeat(JSON_VALUE_LIMIT)}` });
    expect(textBound(text)).toBeUndefined();
    expect(decodeJson(Buffer.from(text)).ok).toBe(true);
    // A backslash escaped before a closing quote: what follows is outside the string again, and counted.
    expect(textBound(`["\\\\",${"0,".repeat(10)}0]`, 10, 10)).toBe("values");
  });

  it("refuses nested arrays of more values than that with a 400 saying so, without parsing them", () => {
    const body = `{"model":"m","max_tokens":8,"messages":[[[[${"0,".repeat(JSON_VALUE_LIMIT)}0]]]]}`;
    const parse = vi.spyOn(JSON, "parse");
    try {
      const decoded = decodeJson(Buffer.from(body));
      expect(parse).not.toHaveBeenCalled();
      expect(decoded.ok).toBe(false);
      if (!decoded.ok) {
        expect(decoded.error.status).toBe(400);
        expect(decoded.error.message).toContain("more than 1,000,000 values (array elements and object members)");
      }
    } finally {
      parse.mockRestore();
    }
  });
});

describe("arrays where a message belongs, every inbound dialect", () => {
  for (const d of Object.keys(LISTS) as (Dialect | "bedrock")[]) {
    const { body, field } = LISTS[d];

    it(`${d}: ${field}[3] nested 120 deep is a 400 naming ${field}[3]`, () => {
      const read = decodeJson(Buffer.from(JSON.stringify(body(listWith(d, nested(120))))));
      expect(read.ok, "within the read stage's bounds").toBe(true);
      const err = refusal(d, (read.ok ? read.json : {}) as JsonObject);
      expect(err.param).toBe(`${field}[3]`);
      expect(err.message).toContain(`${field}[3] must be an object, got an array`);
    });

    if (d !== "bedrock")
      it(`${d}: the decoder reads nothing inside ${field}[3]`, () => {
        const reads = { n: 0 };
        const inner = counted(nested(200) as Json[], reads);
        const err = refusal(d, body(listWith(d, inner)));
        expect(err.param).toBe(`${field}[3]`);
        expect(reads.n).toBe(0);
      });
  }
});

describe("over HTTP, every inbound route", () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness();
  });
  afterAll(() => h.close());

  const ROUTES: [Dialect | "bedrock", string][] = [
    ["openai-chat", "/v1/chat/completions"],
    ["openai-responses", "/v1/responses"],
    ["anthropic", "/v1/messages"],
    ["gemini", "/v1beta/models/via-openai-chat:generateContent"],
    ["bedrock", "/model/via-openai-chat/invoke"],
  ];
  const post = async (path: string, body: string) => {
    const res = await fetch(`${h.url}${path}`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body,
    });
    return { status: res.status, text: await res.text() };
  };

  for (const [d, path] of ROUTES) {
    const { body, field } = LISTS[d];
    it(`${path}: a 400 for more values than llmux parses, and one naming ${field}[3]`, async () => {
      const text = JSON.stringify(body(listWith(d, "VALUES"))).replace(
        '"VALUES"',
        `[[${"0,".repeat(JSON_VALUE_LIMIT)}0]]`,
      );
      const many = await post(path, text);
      expect(many.status).toBe(400);
      expect(many.text).toContain("more than 1,000,000 values");
      const deep = await post(path, JSON.stringify(body(listWith(d, nested(120)))));
      expect(deep.status).toBe(400);
      expect(deep.text).toContain(`${field}[3] must be an object`);
    }, 30_000);
  }
});
