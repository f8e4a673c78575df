import type { Logger } from "../log/logger.js";
import type { Trail } from "../request/trail.js";

/** An open request, for the stop's log lines. */
function openRequest(t: Trail): Record<string, unknown> {
  return {
    req_id: t.id,
    method: t.method,
    path: t.path,
    model: t.requested,
    stream: t.plan?.clientStream,
    age_ms: Math.round(performance.now() - t.startedAt),
  };
}

/** The requests being served: what a graceful stop waits for, and what it names. */
export class Inflight {
  private readonly open = new Set<Trail>();
  private readonly idle: (() => void)[] = [];

  add(t: Trail): void {
    this.open.add(t);
  }

  delete(t: Trail): void {
    this.open.delete(t);
    if (this.open.size === 0) for (const wake of this.idle.splice(0)) wake();
  }

  get size(): number {
    return this.open.size;
  }

  /** Resolves true once no request is being served, or false after `ms`. */
  settled(ms: number): Promise<boolean> {
    if (this.open.size === 0) return Promise.resolve(true);
    return new Promise<boolean>((resolve) => {
      const timer = setTimeout(() => resolve(false), ms);
      this.idle.push(() => {
        clearTimeout(timer);
        resolve(true);
      });
    });
  }

  /** Waits up to `graceMs` for the open requests to finish, logging what it waits for and what it will cut. */
  async drain(logger: Logger, graceMs: number): Promise<void> {
    const open = [...this.open];
    if (open.length === 0) {
      logger.info("stopping: no open requests");
      return;
    }
    logger.info(
      { open: open.length, grace_ms: graceMs, requests: open.map(openRequest) },
      `stopping: waiting up to ${graceMs} ms for ${open.length} open request${open.length === 1 ? "" : "s"} to finish`,
    );
    if (await this.settled(graceMs)) return;
    const left = [...this.open];
    logger.warn(
      { open: left.length, grace_ms: graceMs, requests: left.map(openRequest) },
      `stopping: ${left.length} request${left.length === 1 ? "" : "s"} still open after ${graceMs} ms (server.shutdown_grace_ms) cut`,
    );
  }
}
