import type { ServerResponse } from "node:http";
import { flattenHead } from "../http/flat-head.js";
import type { Answer } from "../request/answer.js";
import type { RequestTiming } from "../request/timing.js";
import { TurnHold } from "./turn-hold.js";

/** Writes an event stream to the client, honouring backpressure; a write resolves false once the client has gone. */
export class ClientStream {
  private started = false;
  private readonly turn: TurnHold;

  constructor(
    private readonly res: ServerResponse,
    private readonly answer: Answer,
    private readonly headers: Record<string, string>,
    private readonly timing: RequestTiming | undefined,
  ) {
    this.turn = new TurnHold(res);
  }

  private head(): void {
    if (this.started) return;
    this.started = true;
    this.answer.status = 200;
    this.res.writeHead(200, {
      "content-type": "text/event-stream; charset=utf-8",
      "cache-control": "no-cache",
      connection: "keep-alive",
      "x-accel-buffering": "no",
      ...this.headers,
    });
    // An event stream's response lives as long as the stream: it keeps its head in one piece.
    flattenHead(this.res);
  }

  async write(chunk: string | Uint8Array): Promise<boolean> {
    if (chunk.length === 0) return !this.res.destroyed;
    this.head();
    this.answer.firstByteAt ??= performance.now();
    if (this.res.destroyed) return false;
    if (this.res.write(chunk)) return true;
    const since = performance.now();
    return new Promise<boolean>((resolve) => {
      const done = (ok: boolean) => {
        this.res.off("drain", onDrain);
        this.res.off("close", onClose);
        // Waiting for a slow client is not llmux's time (llmux-overhead-ms).
        if (this.timing) this.timing.clientWaitMs += performance.now() - since;
        resolve(ok);
      };
      const onDrain = () => done(true);
      const onClose = () => done(false);
      this.res.once("drain", onDrain);
      this.res.once("close", onClose);
    });
  }

  /**
   * The stream's last events come next: the socket holds them until the end of this turn of the event loop
   * (src/pipeline/turn-hold.ts), so that the response's end, which waits for the journal's group write at the
   * end of the turn (src/pipeline/exchange.ts), leaves with them in one write instead of a write of its own.
   */
  last(): void {
    this.turn.hold();
  }

  end(): void {
    this.head();
    this.res.end();
  }
}
