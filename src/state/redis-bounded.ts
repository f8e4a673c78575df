/**
 * How the Redis engine (redis.ts) bounds an operation: the errors it tells apart (never sent, or not answered in
 * time) and the timeout that does not mistake this process's own lateness for Redis's.
 */

/**
 * An operation that was never sent: the connection was not ready (Redis away, reconnecting). Unlike a
 * timeout or a connection lost while it waited, Redis surely did not execute it.
 */
export class RedisNotSent extends Error {
  constructor(why: string) {
    super(`not sent to Redis: ${why}`);
    this.name = "RedisNotSent";
  }
}

/** An operation Redis did not answer within `timeoutMs`. */
export class RedisTimeout extends Error {
  constructor(ms: number) {
    super(`Redis did not answer within ${ms} ms`);
    this.name = "RedisTimeout";
  }
}

/**
 * Bounds an operation by `ms`, without mistaking this process's own lateness for Redis's:
 *
 * - when the timer fires late (the event loop was busy), the answer may already be waiting in the socket, so
 *   pending I/O is read first (a turn of the event loop) and only an answer still missing then is a timeout;
 * - when it fires more than half of `ms` late, the process was itself blocked for much of the wait, and the
 *   command may not even have left: under load, the commands of a turn of the event loop leave together, from
 *   a `setImmediate` (src/state/redis-turn.ts), and a lone request's at the turn's end, so a command issued just
 *   before a block leaves after it. The wait then starts again, once: an operation waits at most twice `ms` plus
 *   the process's own lateness.
 *
 * A timeout on the client itself would fire first and discard an answer that had arrived (Redis then counted the
 * operation, and the failure policy counted it again).
 */
export function bounded<T>(op: Promise<T>, ms: number): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    let settled = false;
    let due = performance.now() + ms;
    let again = true;
    const expire = (): void => {
      const late = performance.now() - due;
      if (again && late > ms / 2) {
        again = false;
        due = performance.now() + ms;
        timer = setTimeout(expire, ms);
        return;
      }
      setImmediate(() => {
        if (settled) return;
        settled = true;
        reject(new RedisTimeout(ms));
      });
    };
    let timer = setTimeout(expire, ms);
    op.then(
      (v) => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        resolve(v);
      },
      (err: unknown) => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        reject(err);
      },
    );
  });
}
