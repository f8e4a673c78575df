/**
 * `state.on_failure: fail-closed` end to end: while Redis is away, a request that needs shared state (a
 * minted key's limits) is refused with a 503 to retry shortly, in the client's own dialect; one that needs
 * none goes on; once Redis is back, everything is served again.
 */
import { randomBytes } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { eventually, type Harness, startHarness } from "../support/gateway.js";
import { type TcpProxy, tcpProxy } from "../support/tcp-proxy.js";
import { ADMIN, CHAT, call, MASTER, SERVICE } from "../support/team.js";

const REDIS = new URL(process.env.LLMUX_TEST_REDIS ?? "redis://127.0.0.1:6379");

let proxy: TcpProxy;
let h: Harness;
beforeAll(async () => {
  proxy = await tcpProxy(REDIS.hostname, Number(REDIS.port || 6379));
  h = await startHarness(() => ({
    auth: { keys: [SERVICE] },
    admin: { keys: [ADMIN] },
    secrets: { master_key: MASTER },
    state: {
      url: `redis://127.0.0.1:${proxy.port}`,
      prefix: `llmux-test:${process.pid}:${randomBytes(4).toString("hex")}:`,
      on_failure: "fail-closed",
      timeout_ms: 300,
    },
  }));
});
afterAll(async () => {
  await h?.close();
  await proxy?.close();
});

describe("fail-closed while Redis is away", () => {
  it("refuses what needs shared state with a 503 (retry-after), serves what does not, and recovers", async () => {
    const minted = await call(h.url, "POST", "/admin/v1/keys", ADMIN, { name: "strict", limits: { rpm: 100 } });
    const key = minted.body.key as string;
    const chat = (k: string) =>
      fetch(`${h.url}/v1/chat/completions`, {
        method: "POST",
        headers: { "content-type": "application/json", authorization: `Bearer ${k}` },
        body: JSON.stringify(CHAT("via-openai-chat")),
      });
    expect((await chat(key)).status).toBe(200);
    proxy.cut();
    try {
      const refused = await chat(key);
      const body = (await refused.json()) as { error: { message: string } };
      expect(refused.status).toBe(503);
      expect(refused.headers.get("retry-after")).toBe("5");
      expect(body.error.message).toMatch(/shared state \(Redis\).*state\.on_failure: fail-closed/);
      // Anthropic's own form for "overloaded, retry": 529 overloaded_error.
      const msg = await call(h.url, "POST", "/v1/messages", key, {
        model: "via-anthropic",
        max_tokens: 10,
        messages: [{ role: "user", content: "hi" }],
      });
      expect([msg.status, msg.body.error.type]).toEqual([529, "overloaded_error"]);
      // A configured service key has no limits to count: it needs no shared state.
      expect((await chat(SERVICE)).status).toBe(200);
      const line = await eventually(() =>
        h.logs.find((l) => /Redis \(state\.url\) is unreachable/.test(String(l.msg))),
      );
      expect(line.policy).toBe("fail-closed");
      // Refusals are not "unhandled errors".
      expect(h.logs.some((l) => l.msg === "unhandled error")).toBe(false);
    } finally {
      proxy.restore();
    }
    const end = Date.now() + 10_000;
    let status = 0;
    while (Date.now() < end && status !== 200) {
      status = (await chat(key)).status;
      if (status !== 200) await new Promise((r) => setTimeout(r, 200));
    }
    expect(status).toBe(200);
  });
});
