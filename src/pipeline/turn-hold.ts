import type { ServerResponse } from "node:http";

/**
 * Holds a response's socket until the end of this turn of the event loop (`setImmediate`), so that what is
 * written to it meanwhile leaves in one write: the events made from one upstream chunk, and the response's end
 * when it follows in the same turn (node's `res.end` uncorks the socket fully). When nothing more comes in this
 * turn, what was written leaves at its end as it would have; what a later turn writes is held again.
 */
export class TurnHold {
  private holding = false;

  constructor(private readonly res: ServerResponse) {}

  hold(): void {
    const socket = this.res.socket;
    if (this.holding || !socket || this.res.destroyed) return;
    this.holding = true;
    socket.cork();
    setImmediate(() => {
      this.holding = false;
      // A response that ended let go of its socket fully (node's res.end), which may serve the next request by now.
      if (this.res.socket === socket) socket.uncork();
    });
  }
}
