import type { Logger } from "../observe/logger.js";
import type { RequestRecord } from "../request/record.js";

/** An open request, for the stop's log lines. */
function openRequest(rec: RequestRecord): Record<string, unknown> {
  return {
    req_id: rec.id,
    method: rec.method,
    path: rec.path,
    model: rec.requested,
    stream: rec.stream,
    age_ms: Math.round(performance.now() - rec.startedAt),
  };
}

/** The requests being served: what a graceful stop waits for, and what it names. */
export class Inflight {
  private readonly open = new Set<RequestRecord>();
  private readonly idle: (() => void)[] = [];

  add(rec: RequestRecord): void {
    this.open.add(rec);
  }

  delete(rec: RequestRecord): void {
    this.open.delete(rec);
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
