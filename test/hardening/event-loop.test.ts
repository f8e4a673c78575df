/**
 * No request can stall the event loop: a huge count_tokens body is counted in time linear in its size
 * while /health keeps answering; one very long SSE line or passthrough line costs linear time.
 */
import { describe, expect, it } from "vitest";
import { type SseEvent, SseParser } from "../../src/sse/parser.js";
import { ModelRenamer } from "../../src/upstream/model-rename.js";
import { startHarness } from "../support/gateway.js";

function acgt(n: number): string {
  const letters = "ACGT";
  const out = Buffer.alloc(n);
  let x = 12345;
  for (let i = 0; i < n; i++) {
    x = (x * 1103515245 + 12345) & 0x7fffffff;
    out[i] = letters.charCodeAt((x >> 16) & 3);
  }
  return out.toString("latin1");
}

describe.each([
  { size: "1 MB", chars: 1024 * 1024 },
  // Past the exact limit a count is sampled: finding where each sampled piece ends must not scan back over
  // the whole text (quadratic: seconds of a blocked event loop for a body this size).
  { size: "16 MB", chars: 16 * 1024 * 1024 },
])("count_tokens on a $size body", ({ chars }) => {
  it("answers while /health keeps answering (generous bounds: it froze the process for minutes before)", async () => {
    const h = await startHarness();
    try {
      const body = JSON.stringify({
        model: "via-openai-chat",
        messages: [{ role: "user", content: acgt(chars) }],
      });
      let counted = false;
      const count = fetch(`${h.url}/v1/messages/count_tokens`, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body,
      }).then(async (r) => {
        counted = true;
        return { status: r.status, json: (await r.json()) as { input_tokens: number } };
      });
      let worst = 0;
      let probes = 0;
      while (!counted && probes < 200) {
        const t = performance.now();
        const r = await fetch(`${h.url}/health`);
        expect(r.status).toBe(200);
        await r.arrayBuffer();
        worst = Math.max(worst, performance.now() - t);
        probes++;
      }
      const res = await count;
      expect(res.status).toBe(200);
      // random ACGT tokenizes at roughly 2 characters per token
      expect(res.json.input_tokens).toBeGreaterThan(chars / 5);
      expect(res.json.input_tokens).toBeLessThan(chars * 1.05);
      expect(probes).toBeGreaterThan(0);
      expect(worst).toBeLessThan(3000);
    } finally {
      await h.close();
    }
  }, 60_000);
});

describe("one very long line", () => {
  const MB = 1024 * 1024;
  it("the SSE parser reads a 64 MB data line sent in 64 KB chunks", () => {
    const parser = new SseParser();
    const events: SseEvent[] = [];
    const chunk = "x".repeat(64 * 1024);
    parser.push("data: ", (e) => events.push(e));
    const start = performance.now();
    for (let i = 0; i < 1024; i++) parser.push(chunk, (e) => events.push(e));
    parser.push("\n\n", (e) => events.push(e));
    const took = performance.now() - start;
    expect(events).toHaveLength(1);
    expect(events[0]?.data.length).toBe(64 * MB);
    expect(took).toBeLessThan(15_000); // quadratic before: 20 MB took 5 s, 100 MB never finished
  }, 60_000);

  it("the passthrough model renamer joins a 64 MB line once", () => {
    const renamer = new ModelRenamer("alias");
    const chunk = Buffer.alloc(64 * 1024, 0x61);
    let out = renamer.push(Buffer.from('data: {"model":"upstream","x":"'));
    expect(out.length).toBe(0);
    const start = performance.now();
    for (let i = 0; i < 1024; i++) out = renamer.push(chunk);
    expect(out.length).toBe(0);
    const last = Buffer.from(renamer.push(Buffer.from('"}\n\n')));
    const took = performance.now() - start;
    expect(last.subarray(0, 30).toString()).toBe('data: {"model":"alias","x":"aa');
    expect(last.length).toBe(64 * MB + 'data: {"model":"alias","x":""}\n\n'.length);
    expect(took).toBeLessThan(15_000);
  }, 60_000);
});
