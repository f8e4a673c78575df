import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { eventually, type Harness, startHarness, UPSTREAM_ALIASES } from "../support/gateway.js";
import { codexTurn, ResponsesSocket, textOf, userText } from "../support/ws-client.js";

const KEY = "svc-ws-key-0123456789";

/** Request log lines the gateway wrote for turns on a socket. */
const turnLines = (h: Harness) => h.logs.filter((l) => l.msg?.startsWith("request") && l.transport === "websocket");

describe("Responses over WebSocket, on every upstream", () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness(() => ({ auth: { keys: [KEY] } }));
  });
  afterAll(() => h.close());

  it.each(UPSTREAM_ALIASES)("%s: a prewarm and two chained turns on one socket", async (alias) => {
    h.mock.reset();
    const before = turnLines(h).length;
    const s = await ResponsesSocket.open(h.url, KEY);
    // The prewarm: answered without an upstream call, with a Response id the next turn chains on.
    const warm = await s.turn({ ...codexTurn(alias, [userText("alpha")]), generate: false });
    expect(warm.map((f) => f.type)).toEqual(["response.created", "response.completed"]);
    expect(h.mock.requests).toHaveLength(0);

    const first = await s.turn(codexTurn(alias, [], { previous_response_id: warm.at(-1)!.response.id }));
    expect(first.at(-1)!.type).toBe("response.completed");
    expect(textOf(first)).toBe("mock: alpha");
    const second = await s.turn(
      codexTurn(alias, [userText("beta")], { previous_response_id: first.at(-1)!.response.id }),
    );
    expect(textOf(second)).toBe("mock: beta");
    // The second upstream request carries the whole conversation: the first question, its answer, the second.
    expect(h.mock.requests).toHaveLength(2);
    const raw = h.mock.requests[1]!.raw;
    expect(raw).toContain("alpha");
    expect(raw).toContain("mock: alpha");
    expect(raw).toContain("beta");
    expect(raw).not.toContain("previous_response_id");
    await s.close();
    // One request-log line per turn, each settled once, said to have come over the socket.
    const lines = turnLines(h).slice(before);
    expect(lines).toHaveLength(2);
    expect(lines.every((l) => l.status === 200 && l.outcome === "ok" && l.requested === alias)).toBe(true);
  });

  it("serves the Azure and /openai/v1 forms of the path", async () => {
    for (const path of ["/openai/v1/responses", "/openai/responses?api-version=preview", "/responses"]) {
      const s = await ResponsesSocket.open(h.url, KEY, path);
      const got = await s.turn(codexTurn("via-azure-responses", [userText(`on ${path}`)]));
      expect(textOf(got)).toBe(`mock: on ${path}`);
      await s.close();
    }
  });

  it("refuses an unknown key at the upgrade, with 401", async () => {
    await expect(ResponsesSocket.open(h.url, "wrong-key")).rejects.toMatchObject({ status: 401 });
  });

  it("answers frames it cannot serve with an in-band error, and keeps the socket", async () => {
    const s = await ResponsesSocket.open(h.url, KEY);
    const from = s.count;
    s.ws.send("not json");
    s.send({ type: "session.update" });
    const errors = await s.until(from, (_f) => s.count - from >= 2);
    expect(errors.map((f) => [f.type, f.status])).toEqual([
      ["error", 400],
      ["error", 400],
    ]);
    expect(errors[1]!.error.message).toContain("session.update");
    const ok = await s.turn(codexTurn("via-anthropic", [userText("still here")]));
    expect(textOf(ok)).toBe("mock: still here");
    await s.close();
  });

  it("an unknown model is an in-band error frame in the Responses dialect", async () => {
    const s = await ResponsesSocket.open(h.url, KEY);
    const got = await s.turn(codexTurn("no-such-model", [userText("x")]));
    expect(got.at(-1)).toMatchObject({ type: "error", status: 404 });
    expect(got.at(-1)!.error.message).toContain("no-such-model");
    await s.close();
  });
});

describe("server.websocket: false", () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness(() => ({ auth: { keys: [KEY] }, server: { websocket: false } }));
  });
  afterAll(() => h.close());

  it("answers the upgrade 426 at once, so the client falls back to HTTP", async () => {
    const refused = await ResponsesSocket.open(h.url, KEY).catch((e: { status: number; body: string }) => e);
    expect(refused).toMatchObject({ status: 426 });
    expect((refused as { body: string }).body).toContain("server.websocket");
  });
});

describe("socket lifetimes and a graceful stop", () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness(() => ({
      auth: { keys: [KEY] },
      server: { websocket: { idle_timeout_ms: 300, max_lifetime_ms: 1500 } },
    }));
  });
  afterAll(() => h.close());

  it("closes a socket idle past idle_timeout_ms", async () => {
    const s = await ResponsesSocket.open(h.url, KEY);
    await s.turn(codexTurn("via-anthropic", [userText("hi")]));
    await s.until(s.count, () => false, 3000).catch(() => undefined);
    expect(s.closed).toMatchObject({ code: 1000, reason: "idle timeout" });
  });

  it("past max_lifetime_ms a turn gets the error that makes Codex reconnect", async () => {
    const openedAt = Date.now();
    const s = await ResponsesSocket.open(h.url, KEY);
    let last: Record<string, unknown> | undefined;
    while (Date.now() - openedAt < 4000 && last?.type !== "error")
      last = (await s.turn(codexTurn("via-anthropic", [userText("keep busy")]))).at(-1);
    expect(last).toMatchObject({ type: "error", error: { code: "websocket_connection_limit_reached" } });
    expect(Date.now() - openedAt).toBeGreaterThanOrEqual(1500);
    await s.until(s.count, () => false, 1000).catch(() => undefined);
    expect(s.closed?.code).toBe(1000);
  });

  it("a graceful stop lets the running turn finish, then closes the socket with 1001", async () => {
    const s = await ResponsesSocket.open(h.url, KEY);
    h.mock.enqueue({
      blocks: [
        { type: "text", text: "slow " },
        { type: "text", text: "answer" },
      ],
      chunkDelayMs: 200,
    });
    const from = s.count;
    s.send({ type: "response.create", ...codexTurn("via-anthropic", [userText("slow")]) });
    await s.until(from, (f) => f.type === "response.created");
    const stopped = h.gateway.shutdown(5000);
    const got = await s.until(from, (f) => f.type === "response.completed");
    expect(textOf(got)).toBe("slow answer");
    await stopped;
    expect(s.closed?.code).toBe(1001);
  });
});

describe("many sockets", () => {
  let h: Harness;
  beforeAll(async () => {
    // One key holds them all here: its limit of sockets raised to that.
    h = await startHarness(() => ({ auth: { keys: [KEY] }, server: { websocket: { max_sockets_per_key: 1000 } } }));
  });
  afterAll(() => h.close());

  it("holds 1,000 sockets open at once, each still served", async () => {
    const open: ResponsesSocket[] = [];
    for (let i = 0; i < 1000; i += 100)
      open.push(...(await Promise.all(Array.from({ length: 100 }, () => ResponsesSocket.open(h.url, KEY)))));
    expect(h.gateway.sockets.size).toBe(1000);
    const picked = [open[0]!, open[499]!, open[999]!];
    const got = await Promise.all(picked.map((s, i) => s.turn(codexTurn("via-compat", [userText(`socket ${i}`)]))));
    expect(got.map(textOf)).toEqual(["mock: socket 0", "mock: socket 1", "mock: socket 2"]);
    await Promise.all(open.map((s) => s.close()));
    await eventually(() => h.gateway.sockets.size === 0, 5000);
  }, 60_000);
});

describe("other upgrades", () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness(() => ({ auth: { keys: [KEY] } }));
  });
  afterAll(() => h.close());

  it("a request asking for h2c (as curl --http2 does) is served as the HTTP request it is", async () => {
    const { request } = await import("node:http");
    const body = JSON.stringify({ model: "via-compat", messages: [{ role: "user", content: "plain please" }] });
    const got = await new Promise<{ status: number; text: string }>((resolve, reject) => {
      const req = request(
        `${h.url}/v1/chat/completions`,
        {
          method: "POST",
          headers: {
            authorization: `Bearer ${KEY}`,
            "content-type": "application/json",
            "content-length": Buffer.byteLength(body),
            connection: "Upgrade, HTTP2-Settings",
            upgrade: "h2c",
            "http2-settings": "AAMAAABkAAQCAAAAAAIAAAAA",
          },
        },
        (res) => {
          let text = "";
          res.on("data", (c: Buffer) => {
            text += c.toString("utf8");
          });
          res.on("end", () => resolve({ status: res.statusCode ?? 0, text }));
        },
      );
      req.on("upgrade", () => reject(new Error("upgraded")));
      req.on("error", reject);
      req.end(body);
    });
    expect(got.status).toBe(200);
    expect(got.text).toContain("mock: plain please");
  });
});
