/**
 * Serving HTTPS directly (server.tls), and streaming through a TLS-terminating forwarder in front of plain
 * HTTP — what a tunnel does for Cursor, whose calls come from its own servers and need public HTTPS.
 */
import { type ChildProcess, execFileSync, spawn } from "node:child_process";
import { mkdtempSync, readFileSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import OpenAI from "openai";
import { Agent } from "undici";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type Harness, startHarness } from "../support/gateway.js";

const dir = mkdtempSync(join(tmpdir(), "llmux-tls-"));
const cert = join(dir, "cert.pem");
const key = join(dir, "key.pem");
execFileSync(
  "openssl",
  [
    "req",
    "-x509",
    "-newkey",
    "rsa:2048",
    "-nodes",
    "-keyout",
    key,
    "-out",
    cert,
    "-days",
    "1",
    "-subj",
    "/CN=localhost",
    "-addext",
    "subjectAltName=IP:127.0.0.1,DNS:localhost",
  ],
  { stdio: "ignore" },
);
const trusting = new Agent({ connect: { ca: readFileSync(cert) } });

function client(baseURL: string): OpenAI {
  return new OpenAI({ apiKey: "k", baseURL, maxRetries: 0, fetchOptions: { dispatcher: trusting } as never });
}

describe("server.tls", () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness(() => ({ server: { tls: { cert, key } } }));
  });
  afterAll(async () => {
    await h.close();
  });

  it("serves streaming Chat Completions over HTTPS", async () => {
    h.mock.enqueue({ blocks: [{ type: "text", text: "secure hello" }] });
    const url = h.url.replace("http://", "https://");
    const done = await client(`${url}/cursor`)
      .chat.completions.stream({ model: "via-anthropic", messages: [{ role: "user", content: "hi" }] })
      .finalChatCompletion();
    expect(done.choices[0]!.message.content).toBe("secure hello");
  });
});

describe("behind a TLS-terminating forwarder (a stand-in for a tunnel)", () => {
  let h: Harness;
  let forwarder: ChildProcess;
  let port = 0;
  beforeAll(async () => {
    h = await startHarness();
    port = await new Promise<number>((resolve) => {
      const s = createServer().listen(0, "127.0.0.1", () => {
        const p = (s.address() as { port: number }).port;
        s.close(() => resolve(p));
      });
    });
    const target = new URL(h.url);
    forwarder = spawn(
      "socat",
      [
        `OPENSSL-LISTEN:${port},bind=127.0.0.1,reuseaddr,fork,cert=${cert},key=${key},verify=0`,
        `TCP:127.0.0.1:${target.port}`,
      ],
      { stdio: "ignore" },
    );
    for (let i = 0; i < 100; i++) {
      const up = await fetch(`https://127.0.0.1:${port}/health`, { dispatcher: trusting } as never).then(
        () => true,
        () => false,
      );
      if (up) break;
      await new Promise((r) => setTimeout(r, 50));
    }
  });
  afterAll(async () => {
    forwarder.kill();
    await h.close();
  });

  it("delivers stream chunks as they are produced, not all at the end", async () => {
    h.mock.enqueue({
      blocks: Array.from({ length: 5 }, (_, i) => ({ type: "text" as const, text: `part${i} ` })),
      chunkChars: 64,
      chunkDelayMs: 150,
    });
    const stream = await client(`https://127.0.0.1:${port}/cursor`).chat.completions.create({
      model: "via-anthropic",
      stream: true,
      messages: [{ role: "user", content: "hi" }],
    });
    const arrivals: number[] = [];
    let text = "";
    for await (const chunk of stream) {
      const piece = chunk.choices[0]?.delta.content;
      if (piece) {
        arrivals.push(Date.now());
        text += piece;
      }
    }
    expect(text).toBe("part0 part1 part2 part3 part4 ");
    // Chunks paced 150 ms apart upstream arrive spread out, i.e. nothing buffered the stream.
    expect(arrivals.at(-1)! - arrivals[0]!).toBeGreaterThan(300);
  });
});
