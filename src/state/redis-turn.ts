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
 * A lone request's Redis commands of one turn in one write: the connection is corked at the turn's first command
 * and uncorked once the turn's JavaScript is done (`process.nextTick` runs after the turn's promise
 * continuations), so the commands a request sends side by side (its health read and its rate check; its
 * session's cost and its in-flight count; its settlement's two) leave in one system call and their answers come
 * back in one read, where each had its own. Nothing waits for another turn: the write leaves before the event
 * loop polls again, and a turn that blocks after a command is allowed for by the timeout (redis-bounded.ts).
 * `stream` is the client's connection (anything else is left alone).
 */
export function holdTurn(stream: unknown): void {
  if (!corkable(stream) || held.has(stream)) return;
  stream.cork();
  held.add(stream);
  process.nextTick(() => {
    held.delete(stream);
    stream.uncork();
  });
}
