/**
 * A Responses WebSocket holds at most one turn waiting behind the one it serves (more are refused with an error
 * frame), keeps nothing once it closed, is cut when its client stops reading instead of written to, and one key
 * has at most `server.websocket.max_sockets_per_key` sockets open.
 */
import { randomBytes } from "node:crypto";
import { createServer, type IncomingMessage, request, type Server } from "node:http";
import type { AddressInfo, Socket } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import WebSocket from "ws";
import { MAX_QUEUED_TURNS, type SocketSession } from "../../src/server/socket-session.js";
import { type Body, eventually, type Harness, startHarness } from "../support/gateway.js";
import { codexTurn, ResponsesSocket, textOf, userText } from "../support/ws-client.js";

const KEY = "svc-ws-limits-0123456789";
const OTHER = "svc-ws-limits-other-0123";

/** An upstream that holds requests while `hold` is set, then passes them to the mock and its answers back. */
interface Gate {
  url: string;
  target: string;
  hold: boolean;
  /** Resolves once a request is being held. */
  held(): Promise<void>;
  /** Lets the held requests (and every later one) through. */
  release(): void;
  close(): Promise<void>;
}

async function startGate(): Promise<Gate> {
  const waiting: (() => void)[] = [];
  const watchers: (() => void)[] = [];
  const gate = {
    target: "",
    hold: false,
    held: () => new Promise<void>((r) => (waiting.length > 0 ? r() : watchers.push(r))),
    release: () => {
      gate.hold = false;
      for (const w of waiting.splice(0)) w();
    },
  };
  const server: Server = createServer(async (req: IncomingMessage, res) => {
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    if (gate.hold) {
      const passed = new Promise<void>((r) => waiting.push(r));
      for (const w of watchers.splice(0)) w();
      await passed;
    }
    const up = request(`${gate.target}${req.url}`, { method: "POST", headers: req.headers }, (answer) => {
      res.writeHead(answer.statusCode ?? 502, answer.headers);
      answer.pipe(res);
    });
    up.on("error", () => res.destroy());
    up.end(Buffer.concat(chunks));
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  return Object.assign(gate, {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    close: () => {
      gate.release();
      server.closeAllConnections();
      return new Promise<void>((r) => server.close(() => r()));
    },
  });
}

describe("Responses WebSocket limits", () => {
  let h: Harness;
  let gate: Gate;
  beforeAll(async () => {
    gate = await startGate();
    h = await startHarness(() => ({
      auth: { keys: [KEY, OTHER] },
      server: { websocket: { max_sockets_per_key: 2 } },
      providers: { gated: { type: "azure", base_url: gate.url, api_key: "az-key", api: "responses" } },
      models: { gated: { provider: "gated", model: "gpt-5-codex" } },
    }));
    gate.target = h.mock.url;
  });
  afterAll(async () => {
    await h.close();
    await gate.close();
  });

  const sessions = () => [...(h.gateway.sockets as unknown as { open: Set<SocketSession> }).open];
  const queueFull = (f: Body) => f.type === "error" && f.error?.code === "websocket_turn_queue_full";
  const create = (text: string) => ({ type: "response.create", ...codexTurn("gated", [userText(text)]) });

  it("queues one turn behind the running one, refuses more with an error frame, then serves the queued one", async () => {
    const s = await ResponsesSocket.open(h.url, KEY);
    gate.hold = true;
    const held = gate.held();
    s.send(create("first"));
    await held;
    for (const text of ["second", "third", "fourth", "fifth"]) s.send(create(text));
    const refused = (await s.when((frames) => frames.filter(queueFull).length >= 4 - MAX_QUEUED_TURNS)).filter(
      queueFull,
    );
    expect(refused).toHaveLength(4 - MAX_QUEUED_TURNS);
    expect(refused[0]).toMatchObject({ type: "error", status: 429, error: { code: "websocket_turn_queue_full" } });
    expect(sessions()[0]!.queued).toBe(MAX_QUEUED_TURNS);
    gate.release();
    const frames = await s.when((all) => all.filter((f) => f.type === "response.completed").length >= 2);
    expect(textOf(frames)).toBe("mock: firstmock: second");
    await s.close();
    await eventually(() => sessions().length === 0);
  });

  it("keeps nothing of a socket once it closed: its queued turn, what it remembered", async () => {
    const s = await ResponsesSocket.open(h.url, KEY);
    const done = await s.turn(codexTurn("gated", [userText("remembered")]));
    expect(textOf(done)).toBe("mock: remembered");
    gate.hold = true;
    const held = gate.held();
    s.send(create("running"));
    await held;
    s.send(create("queued"));
    const [session] = sessions();
    await eventually(() => session!.queued === 1);
    const memory = (session as unknown as { memory: { last?: unknown } }).memory;
    expect(memory.last).toBeDefined();
    await s.close();
    await eventually(() => sessions().length === 0);
    expect(session!.queued).toBe(0);
    expect(memory.last).toBeUndefined();
    gate.release();
  });

  it("allows a key max_sockets_per_key sockets; one more upgrade is a 429 naming the setting", async () => {
    const a = await ResponsesSocket.open(h.url, KEY);
    const b = await ResponsesSocket.open(h.url, KEY);
    const third = await ResponsesSocket.open(h.url, KEY).then(
      () => undefined,
      (err: { status?: number; body?: string }) => err,
    );
    expect(third?.status).toBe(429);
    expect(third?.body).toContain("server.websocket.max_sockets_per_key");
    // Another key is counted apart.
    const other = await ResponsesSocket.open(h.url, OTHER);
    await a.close();
    await eventually(() => sessions().length === 2);
    const again = await ResponsesSocket.open(h.url, KEY);
    await Promise.all([b.close(), other.close(), again.close()]);
    await eventually(() => sessions().length === 0);
  });

  it("cuts a socket whose client does not read instead of writing more to it", async () => {
    const ws = new WebSocket(`${h.url.replace(/^http/, "ws")}/v1/responses`, {
      headers: { authorization: `Bearer ${KEY}` },
      perMessageDeflate: false,
    });
    ws.on("error", () => undefined);
    await new Promise((r) => ws.once("open", r));
    // The client stops reading: what llmux sends it piles up.
    (ws as unknown as { _socket: Socket })._socket.pause();
    const cut = () => h.logs.some((l) => l.msg?.startsWith("websocket cut: its client does not read"));
    // Prewarms answer two frames that carry the model's name: 256 KB of it each (not compressible).
    for (let i = 0; i < 400 && !cut() && ws.readyState === ws.OPEN; i++) {
      const model = randomBytes(192 * 1024).toString("base64");
      await new Promise<void>((r) =>
        ws.send(JSON.stringify({ type: "response.create", model, generate: false }), () => r()),
      );
    }
    await eventually(cut, 20_000);
    await eventually(() => sessions().length === 0, 20_000);
    ws.terminate();
  });
});
