import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type Harness, startHarness, UPSTREAM_ALIASES } from "../support/gateway.js";

/**
 * Each upstream event's JSON is parsed once on its way to the client, whatever the client's dialect and the
 * upstream's: the stream inspector parses only the events it judges at the start (the retry preamble and the
 * wire-format screen), the decoder of a translated stream each event once, and a passthrough stream's usage tap
 * only the events that carry usage or ids. Counted, not timed: JSON.parse is wrapped while one request runs.
 */

let h: Harness;
beforeAll(async () => {
  h = await startHarness();
});
afterAll(async () => {
  await h.close();
});

const PROMPT = "word ".repeat(400);
const CLIENTS: Record<string, (model: string) => { path: string; body: unknown }> = {
  "openai-chat": (model) => ({
    path: "/v1/chat/completions",
    body: { model, stream: true, messages: [{ role: "user", content: PROMPT }] },
  }),
  anthropic: (model) => ({
    path: "/v1/messages",
    body: { model, max_tokens: 8000, stream: true, messages: [{ role: "user", content: PROMPT }] },
  }),
  "openai-responses": (model) => ({ path: "/v1/responses", body: { model, stream: true, input: PROMPT } }),
};

/** The events the mock answers the gateway's own upstream request with, asked again directly. */
async function upstreamEvents(): Promise<number> {
  const sent = h.mock.requests.at(-1)!;
  const res = await fetch(`${h.mock.url}${sent.url}`, {
    method: sent.method,
    headers: { "content-type": "application/json" },
    body: sent.raw,
  });
  const text = await res.text();
  return text.split("\n").filter((l) => l.startsWith("data:")).length;
}

describe("streamed events are parsed once", () => {
  for (const [client, request] of Object.entries(CLIENTS))
    for (const alias of UPSTREAM_ALIASES)
      it(`${client} client, ${alias}`, async () => {
        const { path, body } = request(alias);
        const payload = JSON.stringify(body);
        const parse = JSON.parse;
        let parses = 0;
        JSON.parse = ((text: string, reviver?: Parameters<typeof parse>[1]) => {
          parses++;
          return parse(text, reviver);
        }) as typeof JSON.parse;
        let answer: string;
        try {
          const res = await fetch(`${h.url}${path}`, {
            method: "POST",
            headers: { "content-type": "application/json" },
            body: payload,
          });
          expect(res.status).toBe(200);
          answer = await res.text();
        } finally {
          JSON.parse = parse;
        }
        expect(answer.length).toBeGreaterThan(1000);
        const events = await upstreamEvents();
        expect(events).toBeGreaterThan(100);
        // The client's body (gateway) and the upstream request (mock) once each, every event at most once, and
        // the start events the inspector judges before the decoder reads them again (a Responses stream's
        // preamble and first output events: at most eight).
        expect(parses).toBeLessThanOrEqual(events + 2 + 8);
      });
});
