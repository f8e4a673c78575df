/**
 * A Chat request to a Chat upstream is passed through: its body is not decoded into llmux's own request (the
 * dialect's decoder does not run; unchanged members are copied byte for byte). Its JSON is still read by the
 * read+decode stage with every bound a translated body gets (nesting, arrays and objects, values, all counted
 * before or right after parsing), so a hostile body is refused the same, with the same words, before anything
 * goes upstream. The members llmux acts on in a passthrough (`model`, `stream`, `stream_options`, the token caps
 * and the alias's settings) are read by type, never walked.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { JSON_DEPTH_LIMIT } from "../../src/http/decode-json.js";
import { JSON_CONTAINER_LIMIT, JSON_VALUE_LIMIT } from "../../src/http/json-containers.js";
import { eventually, type Harness, startHarness } from "../support/gateway.js";

let h: Harness;
beforeAll(async () => {
  h = await startHarness();
});
afterAll(() => h.close());

/** The two ways a Chat client's request goes: passed through to a Chat upstream, translated to Messages. */
const PASSED = "via-openai-chat";
const TRANSLATED = "via-anthropic";

async function post(body: string, id: string) {
  const res = await fetch(`${h.url}/v1/chat/completions`, {
    method: "POST",
    headers: { "content-type": "application/json", "x-request-id": id },
    body,
  });
  return { status: res.status, json: (await res.json()) as { error?: { message?: string; type?: string } } };
}

/** A Chat body for `model` whose `metadata` member is the JSON text `extra`. */
const chat = (model: string, extra: string) =>
  `{"model":"${model}","messages":[{"role":"user","content":"hi"}],"stream":false,"metadata":${extra}}`;

const zeros = (n: number) => `[${"0,".repeat(n - 1)}0]`;

const HOSTILE: [string, string, RegExp][] = [
  [
    `1.5 million small values`,
    `[${zeros(750_000)},${zeros(750_000)}]`,
    new RegExp(`more than ${JSON_VALUE_LIMIT.toLocaleString("en-US")} values`),
  ],
  [
    `${JSON_DEPTH_LIMIT + 1} levels of nesting`,
    `${"[".repeat(JSON_DEPTH_LIMIT)}${"]".repeat(JSON_DEPTH_LIMIT)}`,
    new RegExp(`deeper than ${JSON_DEPTH_LIMIT} levels`),
  ],
  [
    `more arrays than a body may hold (nested, no commas)`,
    `${"[".repeat(JSON_CONTAINER_LIMIT + 1)}${"]".repeat(JSON_CONTAINER_LIMIT + 1)}`,
    new RegExp(`more than ${JSON_CONTAINER_LIMIT.toLocaleString("en-US")} arrays and objects`),
  ],
];

describe("a Chat body passed through to a Chat upstream is bounded as a translated one", () => {
  it("the route under test is a passthrough (and the other one translated)", async () => {
    for (const [model, passthrough] of [
      [PASSED, true],
      [TRANSLATED, false],
    ] as const) {
      const id = `pt-bounds-ok-${model}`;
      const ok = await post(chat(model, `{"a":"b"}`), id);
      expect(ok.status).toBe(200);
      const line = await eventually(() => h.logs.find((l) => l.client_request_id === id));
      expect(line.passthrough ?? false).toBe(passthrough);
    }
  });

  for (const [what, extra, words] of HOSTILE)
    it(`${what}: a 400 with the same words on both paths, nothing sent upstream`, async () => {
      const before = h.mock.requests.length;
      const passed = await post(chat(PASSED, extra), `pt-bounds-p-${what}`);
      const translated = await post(chat(TRANSLATED, extra), `pt-bounds-t-${what}`);
      expect(passed.status).toBe(400);
      expect(passed.json.error?.message).toMatch(words);
      expect(translated.status).toBe(400);
      expect(passed.json).toEqual(translated.json);
      expect(h.mock.requests.length).toBe(before);
    }, 30_000);

  it("within the bounds, the passthrough relays the body as it came", async () => {
    const before = h.mock.requests.length;
    const extra = `{"deep":${"[".repeat(JSON_DEPTH_LIMIT - 2)}${"]".repeat(JSON_DEPTH_LIMIT - 2)}}`;
    const ok = await post(chat(PASSED, extra), "pt-bounds-within");
    expect(ok.status).toBe(200);
    const sent = h.mock.requests.slice(before).at(-1);
    expect(sent?.raw).toContain(`"deep":${"[".repeat(JSON_DEPTH_LIMIT - 2)}`);
  });
});
