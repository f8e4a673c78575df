/** Connections corked until the end of the current turn (a connection is in it at most once). */
const held = new WeakSet<object>();

interface Corkable {
  cork(): void;
  uncork(): void;
}

const corkable = (s: unknown): s is Corkable =>
  typeof s === "object" &&
  s !== null &&
  typeof (s as Corkable).cork === "function" &&
  typeof (s as Corkable).uncork === "function";

/**
 * The Redis commands of one turn of the event loop in one write: the connection is corked at the turn's first
 * command and uncorked after it, so the turn's commands leave in one system call and their answers come back in
 * one read, where each had its own. Every command goes through the connection's buffer in the order it was
 * sent, so order holds whichever way it is held.
 *
 * - A lone request (`late` false): uncorked by `process.nextTick`, which, queued from a promise continuation,
 *   runs once the turn's continuations are done, before the event loop polls again: the commands a request
 *   sends side by side (its health read and its rate check; its session's cost and its in-flight count; its
 *   settlement's two) leave together, and nothing waits for another turn.
 * - Under load (`late`): uncorked by `setImmediate`, after the event loop's poll, so the commands of every
 *   request served in that turn leave together (what ioredis's autopipelining did, at about two thirds of its
 *   CPU per command: no pipeline object per batch).
 *
 * A turn that blocks after a command is allowed for by the timeout (redis-bounded.ts). `stream` is the client's
 * connection (anything else is left alone).
 */
export function holdTurn(stream: unknown, late = false): void {
  if (!corkable(stream) || held.has(stream)) return;
  stream.cork();
  held.add(stream);
  const release = () => {
    held.delete(stream);
    stream.uncork();
  };
  if (late) setImmediate(release);
  else process.nextTick(release);
}
