/**
 * Every request is logged once, with its status and, when it was refused or failed, the reason in words:
 * 401, 403, 404, 400, 413, count_tokens, stored-response lookups, client aborts. At the debug level the line
 * also carries the routing decisions in words.
 */
import { request } from "node:http";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type Harness, type LogLine, startHarness } from "../support/gateway.js";

const KEY = "sk-log-key";

let n = 0;
const rid = (name: string) => `log-${name}-${++n}`;

async function call(
  h: Harness,
  path: string,
  init: { method?: string; key?: string; body?: string | object; headers?: Record<string, string> } = {},
): Promise<{ id: string; status: number }> {
  const id = rid(path.replace(/\W+/g, "-"));
  const headers: Record<string, string> = { "x-request-id": id, "content-type": "application/json", ...init.headers };
  if (init.key) headers.authorization = `Bearer ${init.key}`;
  const body = typeof init.body === "object" ? JSON.stringify(init.body) : init.body;
  const res = await fetch(`${h.url}${path}`, { method: init.method ?? (body ? "POST" : "GET"), headers, body });
  await res.arrayBuffer();
  return { id, status: res.status };
}

/** The request's log lines, once the request has settled (lines are written as requests end). */
async function linesOf(h: Harness, id: string, want = 1): Promise<LogLine[]> {
  const start = Date.now();
  for (;;) {
    const lines = h.logs.filter((l) => l.client_request_id === id);
    if (lines.length >= want || Date.now() - start > 2000) {
      await new Promise((r) => setTimeout(r, 50));
      return h.logs.filter((l) => l.client_request_id === id);
    }
    await new Promise((r) => setTimeout(r, 10));
  }
}

const chat = { model: "via-openai-chat", messages: [{ role: "user", content: "hello" }] };

describe("every request is logged once, with status and reason", () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness(() => ({ auth: { keys: [KEY] }, server: { body_limit_mb: 1 } }));
  });
  afterAll(() => h.close());

  it.each([
    ["no key", "/v1/chat/completions", { body: chat }, 401, /key/i],
    ["a wrong key", "/v1/messages", { body: chat, key: "sk-wrong" }, 401, /key/i],
    [
      "Cursor without a key",
      "/v1/chat/completions",
      { body: chat, headers: { "user-agent": "Cursor/1.7" } },
      403,
      /key/i,
    ],
    ["an unknown route", "/v1/nope", { key: KEY }, 404, /Unknown route/],
    ["count_tokens without a key", "/v1/messages/count_tokens", { body: chat }, 401, /key/i],
    ["count_tokens (estimated)", "/v1/messages/count_tokens", { body: chat, key: KEY }, 200, undefined],
    ["count_tokens with a body that is not JSON", "/v1/messages/count_tokens", { body: "{x", key: KEY }, 400, /JSON/],
    ["a body that is not JSON", "/v1/chat/completions", { body: "{x", key: KEY }, 400, /JSON/],
    [
      "a body over server.body_limit_mb",
      "/v1/chat/completions",
      { body: "x".repeat(2 * 1024 * 1024), key: KEY },
      413,
      /body_limit_mb/,
    ],
    ["an unknown model", "/v1/chat/completions", { body: { ...chat, model: "nope" }, key: KEY }, 404, /nope/],
    ["an unknown stored response", "/v1/responses/resp_missing", { key: KEY }, 404, /resp_missing/],
    ["a model list", "/v1/models", { key: KEY }, 200, undefined],
    ["a generation", "/v1/chat/completions", { body: chat, key: KEY }, 200, undefined],
  ] as const)("%s", async (_name, path, init, status, reason) => {
    const r = await call(h, path, init as Parameters<typeof call>[2]);
    expect(r.status).toBe(status);
    const lines = await linesOf(h, r.id);
    expect(lines).toHaveLength(1);
    const line = lines[0]!;
    expect(line.status).toBe(status);
    expect(line.path).toBe(path);
    if (reason) {
      expect(typeof line.reason).toBe("string");
      expect(String(line.reason)).toMatch(reason);
      expect(line.level).toBeGreaterThanOrEqual(40);
    } else expect(line.outcome).toBe("ok");
    // never the key itself
    expect(JSON.stringify(line)).not.toContain(KEY);
  });

  it("a client that goes away mid-stream: once, as aborted", async () => {
    const id = rid("abort");
    await new Promise<void>((resolve, reject) => {
      const req = request(
        `${h.url}/v1/chat/completions`,
        {
          method: "POST",
          headers: { "content-type": "application/json", authorization: `Bearer ${KEY}`, "x-request-id": id },
        },
        (res) => {
          res.once("data", () => {
            req.destroy();
            resolve();
          });
        },
      );
      req.on("error", () => undefined);
      req.end(JSON.stringify({ ...chat, stream: true, messages: [{ role: "user", content: "x".repeat(20000) }] }));
      setTimeout(() => reject(new Error("no data")), 5000);
    });
    const lines = await linesOf(h, id);
    expect(lines).toHaveLength(1);
    expect(["aborted", "ok"]).toContain(lines[0]!.outcome);
  });

  it("a health check is not logged at info (it would drown the log), once at debug", async () => {
    const r = await call(h, "/health");
    expect(r.status).toBe(200);
    expect(await linesOf(h, r.id, 0)).toHaveLength(0);
  });
});

describe("at the debug level", () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness(() => ({ auth: { keys: [KEY] }, logging: { level: "debug" } }));
  });
  afterAll(() => h.close());

  const decisions = (l: LogLine) => (Array.isArray(l.decisions) ? (l.decisions as string[]).join(" | ") : "");

  it("a generation's line says who called, where the model was routed and what the upstream answered", async () => {
    const r = await call(h, "/v1/messages", { body: { ...chat, max_tokens: 50 }, key: KEY });
    expect(r.status).toBe(200);
    const [line] = await linesOf(h, r.id);
    const words = decisions(line!);
    expect(words).toMatch(/caller config:\w+ \(service key\)/);
    expect(words).toContain("model 'via-openai-chat' → provider 'openai-chat', upstream model 'gpt-4.1'");
    expect(words).toMatch(/upstream answered 200/);
  });

  it("a line names what was dropped or changed, in words", async () => {
    const r = await call(h, "/v1/messages", { body: { ...chat, max_tokens: 50, top_k: 5 }, key: KEY });
    expect(r.status).toBe(200);
    const [line] = await linesOf(h, r.id);
    expect(line!.warnings).toEqual([
      { code: "dropped_field", message: "top_k has no Chat Completions equivalent and was dropped" },
    ]);
  });

  it("a count_tokens line says whether the upstream counted or llmux estimated, and why", async () => {
    const r = await call(h, "/v1/messages/count_tokens", { body: chat, key: KEY });
    expect(r.status).toBe(200);
    const [line] = await linesOf(h, r.id);
    expect(decisions(line!)).toMatch(/estimated by llmux: provider 'openai-chat' cannot count tokens/);
  });

  it("a refused Cursor request says it was recognised", async () => {
    const r = await call(h, "/v1/chat/completions", { body: chat, headers: { "user-agent": "Cursor/1.7" } });
    expect(r.status).toBe(403);
    const [line] = await linesOf(h, r.id);
    expect(decisions(line!)).toMatch(/Cursor/);
  });

  it("health checks are logged, once", async () => {
    const r = await call(h, "/health");
    const lines = await linesOf(h, r.id);
    expect(lines).toHaveLength(1);
    expect(lines[0]!.level).toBe(20);
  });
});

describe("the terminal line at the debug level", () => {
  it("ends with the decisions in words", async () => {
    const { requestLine } = await import("../../src/log/terminal-line.js");
    const line = requestLine({
      req_id: "r",
      status: 200,
      method: "POST",
      path: "/v1/messages",
      decisions: ["caller config:abc123 (service key)", "upstream answered 200 in 12 ms"],
    });
    expect(line).toContain("· caller config:abc123 (service key); upstream answered 200 in 12 ms");
  });
});
