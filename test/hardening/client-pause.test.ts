/**
 * Silence means the upstream, not the client: the idle timeout (a provider's `timeout_ms`) counts only the
 * time llmux waits for the upstream. A client that stops reading for longer than that (backpressure all the
 * way back to the upstream) and then resumes gets the whole stream.
 */
import { createServer, request, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type Harness, startHarness } from "../support/gateway.js";

// Long enough that a loaded machine never takes it for silence before the first bytes (it failed at 300 ms).
const TIMEOUT_MS = 700;
const CHUNKS = 320;
const TEXT = "x".repeat(64 * 1024);

/** A healthy upstream: it streams 20 MB of Chat deltas as fast as its reader takes them, and never stalls. */
async function startFloodUpstream(): Promise<{ url: string; longestWaitMs: () => number; server: Server }> {
  let longest = 0;
  const server = createServer((req, res) => {
    req.resume();
    req.on("end", async () => {
      res.writeHead(200, { "content-type": "text/event-stream" });
      const chunk = (delta: object, finish: string | null = null) =>
        `data: ${JSON.stringify({ id: "c1", object: "chat.completion.chunk", created: 1, model: "m", choices: [{ index: 0, delta, finish_reason: finish }] })}\n\n`;
      res.write(chunk({ role: "assistant", content: "" }));
      for (let i = 0; i < CHUNKS; i++) {
        if (!res.write(chunk({ content: TEXT }))) {
          const t = performance.now();
          await new Promise<void>((r) => {
            const done = () => {
              res.off("drain", done).off("close", done);
              r();
            };
            res.once("drain", done).once("close", done);
          });
          longest = Math.max(longest, performance.now() - t);
        }
        if (res.destroyed) return;
      }
      res.write(chunk({}, "stop"));
      res.end("data: [DONE]\n\n");
    });
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, longestWaitMs: () => longest, server };
}

/** Posts a streaming request, stops reading after the first bytes for `pauseMs`, then reads everything. */
function pausingClient(
  url: string,
  path: string,
  body: object,
  pauseMs: number,
): Promise<{ status: number; text: string }> {
  return new Promise((resolve, reject) => {
    const req = request(`${url}${path}`, { method: "POST", headers: { "content-type": "application/json" } }, (res) => {
      const parts: Buffer[] = [];
      let paused = false;
      res.on("data", (c: Buffer) => {
        parts.push(c);
        if (!paused) {
          paused = true;
          res.pause();
          setTimeout(() => res.resume(), pauseMs);
        }
      });
      res.on("end", () => resolve({ status: res.statusCode ?? 0, text: Buffer.concat(parts).toString("utf8") }));
      res.on("error", reject);
    });
    req.on("error", reject);
    req.end(JSON.stringify(body));
  });
}

describe("a client that pauses reading longer than timeout_ms", () => {
  let h: Harness;
  let up: Awaited<ReturnType<typeof startFloodUpstream>>;
  beforeAll(async () => {
    up = await startFloodUpstream();
    h = await startHarness(() => ({
      providers: { flood: { type: "openai-compatible", base_url: `${up.url}/v1`, timeout_ms: TIMEOUT_MS } },
      models: { flood: { provider: "flood", model: "m" } },
    }));
  });
  afterAll(async () => {
    await h.close();
    await new Promise((r) => up.server.close(r));
  });

  it.each([
    ["passthrough (Chat client, Chat upstream)", "/v1/chat/completions", "data: [DONE]"],
    ["translated (Anthropic client, Chat upstream)", "/v1/messages", 'data: {"type":"message_stop"}'],
  ])(
    "gets the whole stream: %s",
    async (_name, path, last) => {
      const body = { model: "flood", stream: true, max_tokens: 100, messages: [{ role: "user", content: "hi" }] };
      const r = await pausingClient(h.url, path, body, TIMEOUT_MS * 5);
      expect(r.status).toBe(200);
      // the pause reached the upstream (its writes waited longer than the idle timeout)…
      expect(up.longestWaitMs()).toBeGreaterThan(TIMEOUT_MS);
      // …and the stream was not cut for it
      expect(r.text).not.toContain('"error"');
      expect(r.text.trimEnd().endsWith(last)).toBe(true);
      let chars = 0;
      for (const m of r.text.matchAll(/"(?:content|text)":"(x*)"/g)) chars += m[1]!.length;
      expect(chars).toBe(CHUNKS * TEXT.length);
    },
    60_000,
  );
});
