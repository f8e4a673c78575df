/**
 * count_tokens on an upstream that counts (Anthropic) answers with the upstream's own reply: its status,
 * its content type and the headers a client acts on (retry-after, rate limits, request id).
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { eventually, type Harness, startHarness } from "../support/gateway.js";
import { type ReplayServer, startReplayServer } from "../support/replay-server.js";

describe("count_tokens passthrough", () => {
  let h: Harness;
  let up: ReplayServer;
  beforeAll(async () => {
    up = await startReplayServer();
    h = await startHarness(() => ({
      providers: { counted: { type: "anthropic", base_url: up.url, api_key: "an-key" } },
      models: { counted: { provider: "counted", model: "claude-sonnet-4-5" } },
    }));
  });
  afterAll(async () => {
    await h.close();
    await up.close();
  });

  const count = () =>
    fetch(`${h.url}/v1/messages/count_tokens`, {
      method: "POST",
      headers: { "content-type": "application/json", "anthropic-version": "2023-06-01" },
      body: JSON.stringify({ model: "counted", messages: [{ role: "user", content: "hi" }] }),
    });

  it("keeps a 429's retry-after, rate-limit headers and content type", async () => {
    const error = { type: "error", error: { type: "rate_limit_error", message: "slow down" } };
    up.setReply({
      status: 429,
      headers: {
        "content-type": "application/json; charset=utf-8",
        "retry-after": "17",
        "anthropic-ratelimit-requests-remaining": "0",
        "request-id": "req_up_1",
      },
      body: error,
    });
    const res = await count();
    expect(res.status).toBe(429);
    expect(res.headers.get("retry-after")).toBe("17");
    expect(res.headers.get("anthropic-ratelimit-requests-remaining")).toBe("0");
    expect(res.headers.get("request-id")).toBe("req_up_1");
    expect(res.headers.get("content-type")).toBe("application/json; charset=utf-8");
    expect(await res.json()).toEqual(error);
    const line = await eventually(() => h.logs.find((l) => l.path === "/v1/messages/count_tokens" && l.status === 429));
    expect(String(line.reason)).toContain("rate_limit_error");
  });

  it("a count is the upstream's own", async () => {
    up.setReply({ headers: { "content-type": "application/json" }, body: { input_tokens: 42 } });
    const res = await count();
    expect(res.status).toBe(200);
    expect(res.headers.get("llmux-estimated")).toBeNull();
    expect(await res.json()).toEqual({ input_tokens: 42 });
  });
});

describe("count_tokens on an upstream whose answer is cut mid-body", () => {
  it("is a 502 in Anthropic's shape naming the cut, logged with the reason (never a 500 or a partial body)", async () => {
    const { createServer } = await import("node:http");
    const cut = createServer((req, res) => {
      req.resume();
      req.on("end", () => {
        res.writeHead(200, { "content-type": "application/json", "content-length": "40" });
        res.write('{"input_tok');
        setTimeout(() => res.socket?.destroy(), 20);
      });
    });
    await new Promise<void>((r) => cut.listen(0, "127.0.0.1", r));
    const port = (cut.address() as import("node:net").AddressInfo).port;
    const h = await startHarness(() => ({
      providers: { cut: { type: "anthropic", base_url: `http://127.0.0.1:${port}`, api_key: "an-key" } },
      models: { cut: { provider: "cut", model: "claude-sonnet-4-5" } },
    }));
    try {
      const res = await fetch(`${h.url}/v1/messages/count_tokens`, {
        method: "POST",
        headers: { "content-type": "application/json", "anthropic-version": "2023-06-01" },
        body: JSON.stringify({ model: "cut", messages: [{ role: "user", content: "hello there" }] }),
      });
      expect(res.status).toBe(502);
      const body = (await res.json()) as { type: string; error: { type: string; message: string } };
      expect(body.type).toBe("error");
      expect(body.error.message).toMatch(/cut/);
      const line = await eventually(() => h.logs.find((l) => l.path === "/v1/messages/count_tokens"));
      expect(line.status).toBe(502);
      expect(String(line.reason)).toMatch(/cut/);
    } finally {
      await h.close();
      await new Promise<void>((r) => cut.close(() => r()));
    }
  });
});
