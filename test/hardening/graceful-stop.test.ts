/**
 * SIGTERM and SIGINT stop llmux gracefully: it stops accepting connections, lets the open streams finish
 * within server.shutdown_grace_ms, logs what it waits for (and what it had to cut), then exits 0. The real
 * `llmux start` runs as a child process.
 */
import { type ChildProcess, spawn } from "node:child_process";
import { writeFileSync } from "node:fs";
import { createServer, request, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { BIN, emptyDir } from "../cli/run.js";

/** An upstream that streams `pieces` Chat deltas, one every `everyMs`. */
async function slowUpstream(
  pieces: number,
  everyMs: number,
): Promise<{ url: string; server: Server; sent: () => number }> {
  let sent = 0;
  const server = createServer((req, res) => {
    req.resume();
    req.on("end", async () => {
      res.writeHead(200, { "content-type": "text/event-stream" });
      const chunk = (delta: object, finish: string | null = null) =>
        `data: ${JSON.stringify({ id: "c1", object: "chat.completion.chunk", created: 1, model: "m", choices: [{ index: 0, delta, finish_reason: finish }] })}\n\n`;
      res.write(chunk({ role: "assistant", content: "" }));
      for (let i = 0; i < pieces && !res.destroyed; i++) {
        await new Promise((r) => setTimeout(r, everyMs));
        res.write(chunk({ content: `piece ${i}. ` }));
        sent++;
      }
      res.write(chunk({}, "stop"));
      res.end("data: [DONE]\n\n");
    });
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, server, sent: () => sent };
}

interface Llmux {
  child: ChildProcess;
  url: string;
  out: () => string;
  exited: Promise<number | null>;
}

async function startLlmux(upstream: string, graceMs: number): Promise<Llmux> {
  const dir = emptyDir();
  const config = join(dir, "llmux.yaml");
  writeFileSync(
    config,
    [
      "server:",
      `  shutdown_grace_ms: ${graceMs}`,
      "store:",
      `  path: ${JSON.stringify(join(dir, "llmux.db"))}`,
      "logging: { level: info, pretty: false }",
      "providers:",
      `  slow: { type: openai-compatible, base_url: "${upstream}/v1" }`,
      "models:",
      "  slow: { provider: slow, model: m }",
    ].join("\n"),
  );
  const child = spawn(process.execPath, [BIN, "start", "--config", config, "--port", "0"], {
    cwd: dir,
    env: { PATH: process.env.PATH ?? "", HOME: process.env.HOME ?? "" },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let out = "";
  child.stdout!.setEncoding("utf8").on("data", (s: string) => {
    out += s;
  });
  child.stderr!.setEncoding("utf8").on("data", (s: string) => {
    out += s;
  });
  const exited = new Promise<number | null>((r) => child.once("exit", (code) => r(code)));
  const url = await new Promise<string>((resolve, reject) => {
    // A safety net, not a wait: the start is its "listening" line (a loaded machine took over 15 s).
    const timer = setTimeout(() => reject(new Error(`llmux did not start: ${out}`)), 60_000);
    const look = () => {
      const m = /llmux listening on (http:\/\/[\d.:]+)/.exec(out);
      if (m) {
        clearTimeout(timer);
        child.stdout!.off("data", look);
        resolve(m[1]!);
      }
    };
    child.stdout!.on("data", look);
  });
  return { child, url, out: () => out, exited };
}

/** A streaming Chat request; resolves with the first bytes' arrival and, later, the whole text. */
function stream(url: string): { first: Promise<void>; whole: Promise<{ status: number; text: string; cut: boolean }> } {
  let gotFirst!: () => void;
  const first = new Promise<void>((r) => {
    gotFirst = r;
  });
  const whole = new Promise<{ status: number; text: string; cut: boolean }>((resolve) => {
    const req = request(
      `${url}/v1/chat/completions`,
      { method: "POST", headers: { "content-type": "application/json" } },
      (res) => {
        let text = "";
        res.setEncoding("utf8");
        res.on("data", (s: string) => {
          text += s;
          gotFirst();
        });
        res.on("end", () => resolve({ status: res.statusCode ?? 0, text, cut: false }));
        res.on("error", () => resolve({ status: res.statusCode ?? 0, text, cut: true }));
        res.on("aborted", () => resolve({ status: res.statusCode ?? 0, text, cut: true }));
      },
    );
    req.on("error", () => resolve({ status: 0, text: "", cut: true }));
    req.end(JSON.stringify({ model: "slow", stream: true, messages: [{ role: "user", content: "hi" }] }));
  });
  return { first, whole };
}

const refused = (url: string) =>
  fetch(`${url}/health`).then(
    () => false,
    (err: Error & { cause?: { code?: string } }) => err.cause?.code === "ECONNREFUSED",
  );

const jsonLines = (out: string) =>
  out
    .split("\n")
    .filter((l) => l.startsWith("{"))
    .map((l) => JSON.parse(l) as Record<string, unknown>);

describe("SIGTERM with an open stream", () => {
  let up: Awaited<ReturnType<typeof slowUpstream>>;
  beforeAll(async () => {
    up = await slowUpstream(10, 150);
  });
  afterAll(() => new Promise((r) => up.server.close(r)));

  it("stops accepting, lets the stream finish within the grace period, logs it, exits 0", async () => {
    const llmux = await startLlmux(up.url, 10_000);
    try {
      const s = stream(llmux.url);
      await s.first;
      llmux.child.kill("SIGTERM");
      // new connections are refused while the stream goes on
      await new Promise((r) => setTimeout(r, 200));
      expect(await refused(llmux.url)).toBe(true);
      const r = await s.whole;
      expect(r.status).toBe(200);
      expect(r.cut).toBe(false);
      expect(r.text).toContain("piece 9.");
      expect(r.text.trimEnd().endsWith("data: [DONE]")).toBe(true);
      expect(await llmux.exited).toBe(0);
      const lines = jsonLines(llmux.out());
      const waiting = lines.find((l) =>
        String(l.msg).startsWith("stopping: waiting up to 10000 ms for 1 open request"),
      );
      expect(waiting).toBeDefined();
      expect((waiting!.requests as { path: string }[])[0]!.path).toBe("/v1/chat/completions");
      const done = lines.find((l) => l.msg === "request" && l.path === "/v1/chat/completions");
      expect(done?.status).toBe(200);
      expect(lines.some((l) => String(l.msg).includes("cut"))).toBe(false);
    } finally {
      llmux.child.kill("SIGKILL");
    }
  }, 90_000);

  it("SIGINT with no open request exits 0 at once", async () => {
    const llmux = await startLlmux(up.url, 10_000);
    try {
      // the listening line is written from a background write: let the CLI install its handlers first
      await new Promise((r) => setTimeout(r, 500));
      llmux.child.kill("SIGINT");
      expect(await llmux.exited).toBe(0);
      expect(llmux.out()).toContain("stopping: no open requests");
    } finally {
      llmux.child.kill("SIGKILL");
    }
  }, 90_000);
});

describe("a stream longer than server.shutdown_grace_ms", () => {
  let up: Awaited<ReturnType<typeof slowUpstream>>;
  beforeAll(async () => {
    up = await slowUpstream(100, 100);
  });
  afterAll(() => new Promise((r) => up.server.close(r)));

  it("is cut when the grace period ends, named in the log, and llmux exits 0", async () => {
    const llmux = await startLlmux(up.url, 300);
    try {
      const s = stream(llmux.url);
      await s.first;
      llmux.child.kill("SIGTERM");
      const r = await s.whole;
      expect(r.text).not.toContain("data: [DONE]");
      expect(await llmux.exited).toBe(0);
      // the upstream had more to send: the stream was cut, not finished
      expect(up.sent()).toBeLessThan(100);
      const lines = jsonLines(llmux.out());
      const cut = lines.find((l) => String(l.msg).includes("still open after 300 ms (server.shutdown_grace_ms) cut"));
      expect(cut).toBeDefined();
      expect((cut!.requests as { path: string }[])[0]!.path).toBe("/v1/chat/completions");
      expect(lines.some((l) => l.path === "/v1/chat/completions" && l.outcome === "aborted")).toBe(true);
    } finally {
      llmux.child.kill("SIGKILL");
    }
  }, 90_000);
});

describe("a request on a connection opened before the stop", () => {
  it("is served (not refused) and its connection closes after the answer", async () => {
    const { startHarness } = await import("../support/gateway.js");
    const { connect } = await import("node:net");
    const h = await startHarness();
    try {
      const port = Number(new URL(h.url).port);
      const socket = connect(port, "127.0.0.1");
      await new Promise<void>((r) => socket.once("connect", () => r()));
      // The connection is open (as one handed to a worker just before it is retired); the stop begins.
      const stopped = h.gateway.shutdown(5000);
      const body = JSON.stringify({ model: "via-openai-chat", messages: [{ role: "user", content: "Hi" }] });
      let answer = "";
      socket.on("data", (d: Buffer) => {
        answer += d.toString("latin1");
      });
      const closed = new Promise<void>((r) => socket.once("close", () => r()));
      socket.write(
        `POST /v1/chat/completions HTTP/1.1\r\nhost: x\r\ncontent-type: application/json\r\ncontent-length: ${body.length}\r\n\r\n${body}`,
      );
      await closed;
      expect(answer.split("\r\n")[0]).toBe("HTTP/1.1 200 OK");
      expect(answer.toLowerCase()).toContain("connection: close");
      await stopped;
    } finally {
      await h.close();
    }
  }, 60_000);
});
