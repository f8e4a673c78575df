/**
 * A Responses conversation the upstream stores (`store: true`, `previous_response_id`), through llmux passed
 * through, with the guardrails masking: the official openai SDK against an upstream fake that keeps the
 * responses it made (and refuses an id it never issued, as OpenAI does). Reproduction of issue 43's point.
 */
import OpenAI from "openai";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { MockRequest, MockTurn } from "../../src/mock/server.js";
import { type Harness, startHarness } from "../support/gateway.js";
import { planted } from "./planted.js";

const KEY = "k-stored-responses-0001";
const TOKEN = planted("stored").find((p) => p.rule === "github-pat")!;
const PLACEHOLDER = /LLMUX_MASK_[0-9a-f]{16}/g;

/** The upstream fake: each response gets an id it remembers; a previous_response_id it did not issue is a 400. */
function storingUpstream() {
  const issued = new Map<string, string>();
  let n = 0;
  const answer = (req: MockRequest): MockTurn | undefined => {
    if (!req.path.endsWith("/responses")) return undefined;
    const body = req.body as { previous_response_id?: string; input?: unknown };
    const prev = body.previous_response_id;
    if (prev !== undefined && !issued.has(prev))
      return { httpError: { status: 400, message: `Previous response with id '${prev}' not found.` } };
    const id = `resp_up_${++n}`;
    // What the model "saw" this turn: the earlier turns' (as stored) and this one's input.
    const seen = `${prev ? issued.get(prev) : ""}${JSON.stringify(body.input)}`;
    issued.set(id, seen);
    const placeholders = [...new Set(seen.match(PLACEHOLDER) ?? [])];
    return { id, blocks: [{ type: "text", text: `turn ${n}: ${placeholders.join(" ") || "nothing masked"}` }] };
  };
  return { answer, issued };
}

describe("a Responses conversation the upstream stores, with masked turns", () => {
  let h: Harness;
  const up = storingUpstream();
  beforeAll(async () => {
    h = await startHarness(
      () => ({
        auth: { keys: [KEY] },
        guardrails: { enabled: true, actions: { secrets: "mask", entropy: "off" } },
      }),
      { answer: up.answer },
    );
  }, 30_000);
  afterAll(async () => h?.close());

  const sdk = () => new OpenAI({ apiKey: KEY, baseURL: `${h.url}/v1`, maxRetries: 0 });

  for (const stream of [false, true])
    it(`turn 1 plain, turn 2 with a secret, turn 3 plain (${stream ? "streamed" : "whole"})`, async () => {
      const client = sdk();
      const create = async (input: string, previous?: string) => {
        const params = { model: "via-azure-responses", input, store: true, previous_response_id: previous };
        if (!stream) return client.responses.create(params);
        return client.responses.stream(params).finalResponse();
      };
      const before = h.mock.requests.length;
      const one = await create("hello");
      const two = await create(`here is my token: ${TOKEN.text}. Repeat it back.`, one.id);
      expect(two.output_text).toContain(TOKEN.secret);
      const three = await create("thanks", two.id);
      expect(three.output_text).toContain(TOKEN.secret);
      const sent = h.mock.requests.slice(before);
      for (const q of sent) expect(q.raw).not.toContain(TOKEN.secret);
    });

  for (const stream of [false, true])
    it(`turn 1 with a secret, turn 2 plain, turn 3 with it again: one placeholder upstream, the value back each turn (${stream ? "streamed" : "whole"})`, async () => {
      const client = sdk();
      const create = async (input: string, previous?: string) => {
        const params = { model: "via-azure-responses", input, store: true, previous_response_id: previous };
        if (!stream) return client.responses.create(params);
        return client.responses.stream(params).finalResponse();
      };
      const before = h.mock.requests.length;
      const one = await create(`my token: ${TOKEN.text}`);
      expect(one.output_text).toContain(TOKEN.secret);
      // The upstream answers from what it stored (the placeholder): llmux puts the value back.
      const two = await create("what was my token?", one.id);
      expect(two.output_text).toContain(TOKEN.secret);
      expect(two.output_text).not.toMatch(PLACEHOLDER);
      const three = await create(`and again: ${TOKEN.text}`, two.id);
      expect(three.output_text).toContain(TOKEN.secret);
      const sent = h.mock.requests.slice(before);
      expect(sent).toHaveLength(3);
      for (const q of sent) expect(q.raw).not.toContain(TOKEN.secret);
      // Masked the same way every turn: the stored turn and the new input name one placeholder.
      const seen = new Set(sent.flatMap((q) => q.raw.match(PLACEHOLDER) ?? []));
      expect(seen.size).toBe(1);
    });
});
