import type { Server } from "node:http";
import type { Socket } from "node:net";

/**
 * The connections of the HTTP server that have not sent a request yet, as a graceful stop sees them. A
 * connection accepted just before the stop (handed over by the kernel, or by the cluster primary to a worker
 * being retired) carries a request that was sent before the stop began: it is given a moment to arrive and is
 * served (its connection then closes), instead of being closed as idle with the request unread.
 */
/** How long a graceful stop waits at most for those first requests. */
const WAIT_MS = 1000;

export class FreshConnections {
  private readonly fresh = new Set<Socket>();
  private readonly waiters = new Set<() => void>();

  constructor(server: Server) {
    server.on("connection", (s: Socket) => {
      this.fresh.add(s);
      s.once("close", () => this.served(s));
    });
  }

  /** A connection's request arrived (called for every request: a set deletion, nothing else). */
  served(s: Socket): void {
    if (this.fresh.delete(s) && this.fresh.size === 0) for (const wake of this.waiters) wake();
  }

  /** Resolves once every connection open now has sent its first request or closed, or after a moment (≤ grace). */
  settled(graceMs: number): Promise<void> {
    const ms = Math.min(WAIT_MS, graceMs);
    if (this.fresh.size === 0 || ms <= 0) return Promise.resolve();
    return new Promise<void>((resolve) => {
      const done = () => {
        clearTimeout(timer);
        this.waiters.delete(done);
        resolve();
      };
      const timer = setTimeout(done, ms);
      this.waiters.add(done);
    });
  }
}
