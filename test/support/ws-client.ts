import WebSocket from "ws";
import type { Body } from "./gateway.js";

/** A Responses WebSocket as Codex drives it: `response.create` frames, the answer's events as frames. */
export class ResponsesSocket {
  private readonly frames: Body[] = [];
  private waiters: (() => void)[] = [];
  closed: { code: number; reason: string } | undefined;

  private constructor(readonly ws: WebSocket) {
    ws.on("message", (data) => {
      this.frames.push(JSON.parse(String(data)) as Body);
      for (const w of this.waiters.splice(0)) w();
    });
    ws.on("close", (code, reason) => {
      this.closed = { code, reason: String(reason) };
      for (const w of this.waiters.splice(0)) w();
    });
  }

  /** Opens a socket on `path` of `base` (http://…), with Codex's headers; rejects with the refusal's status. */
  static open(base: string, key: string | undefined, path = "/v1/responses", headers: Record<string, string> = {}) {
    const url = `${base.replace(/^http/, "ws")}${path}`;
    const ws = new WebSocket(url, {
      headers: {
        ...(key ? { authorization: `Bearer ${key}` } : {}),
        "openai-beta": "responses_websockets=2026-02-06",
        originator: "codex_exec",
        ...headers,
      },
      perMessageDeflate: true,
    });
    return new Promise<ResponsesSocket>((resolve, reject) => {
      ws.once("open", () => resolve(new ResponsesSocket(ws)));
      ws.once("unexpected-response", (_req, res) => {
        let text = "";
        res.on("data", (c: Buffer) => {
          text += c.toString("utf8");
        });
        res.on("end", () =>
          reject(
            Object.assign(new Error(`upgrade refused: ${res.statusCode}`), { status: res.statusCode, body: text }),
          ),
        );
      });
      ws.once("error", reject);
    });
  }

  send(frame: Body): void {
    this.ws.send(JSON.stringify(frame));
  }

  /** Sends a `response.create` and resolves with the turn's frames (through `response.completed` or an error). */
  async turn(body: Body): Promise<Body[]> {
    const from = this.frames.length;
    this.send({ type: "response.create", ...body });
    return this.until(
      from,
      (f) => f.type === "response.completed" || f.type === "error" || f.type === "response.failed",
    );
  }

  /** The frames from index `from` on, once one of them satisfies `last` (or the socket closed). */
  async until(from: number, last: (f: Body) => boolean, timeoutMs = 10_000): Promise<Body[]> {
    const end = Date.now() + timeoutMs;
    for (;;) {
      const got = this.frames.slice(from);
      if (got.some(last) || this.closed) return got;
      if (Date.now() > end) throw new Error(`no final frame in time; got ${JSON.stringify(got.map((f) => f.type))}`);
      await new Promise<void>((r) => {
        const t = setTimeout(r, 200);
        this.waiters.push(() => {
          clearTimeout(t);
          r();
        });
      });
    }
  }

  /** All frames so far, once `done` holds for them (or the socket closed). */
  async when(done: (frames: Body[]) => boolean, timeoutMs = 10_000): Promise<Body[]> {
    await this.until(0, () => done(this.frames.slice()), timeoutMs);
    return this.frames.slice();
  }

  get count(): number {
    return this.frames.length;
  }

  close(): Promise<void> {
    if (this.closed) return Promise.resolve();
    return new Promise((r) => {
      this.ws.once("close", () => r());
      this.ws.close();
    });
  }
}

/** The text a turn's frames carry (output_text deltas). */
export function textOf(frames: Body[]): string {
  return frames
    .filter((f) => f.type === "response.output_text.delta")
    .map((f) => f.delta as string)
    .join("");
}

/** A Codex-shaped `response.create` body: instructions, the input items, tools, store false. */
export function codexTurn(model: string, input: Body[], more: Body = {}): Body {
  return {
    model,
    instructions: "You are Codex.",
    input,
    tools: [],
    tool_choice: "auto",
    parallel_tool_calls: false,
    store: false,
    stream: true,
    include: [],
    prompt_cache_key: "conv-1",
    ...more,
  };
}

export const userText = (text: string): Body => ({
  type: "message",
  role: "user",
  content: [{ type: "input_text", text }],
});
