import { BODY_DONE } from "./passing-body.js";

const EMPTY = new Uint8Array(0);

/**
 * A body read in part (to judge its start) made whole again: the chunks read so far, then the rest. A
 * consumer that stops early lets go of the upstream, as a for-await over the body would. An iterator object,
 * not an async generator: an open stream holds this object, not a suspended generator and the last chunk it
 * kept (src/upstream/passing-body.ts).
 */
export function replayBody(
  held: Uint8Array[],
  rest: AsyncIterator<Uint8Array>,
  ended: boolean,
): AsyncIterableIterator<Uint8Array> {
  return new ReplayedBody(held, rest, ended);
}

class ReplayedBody implements AsyncIterableIterator<Uint8Array> {
  private at = 0;

  constructor(
    private held: Uint8Array[],
    private readonly rest: AsyncIterator<Uint8Array>,
    private finished: boolean,
  ) {}

  [Symbol.asyncIterator](): this {
    return this;
  }

  next(): Promise<IteratorResult<Uint8Array, undefined>> {
    if (this.at < this.held.length) {
      const chunk = this.held[this.at]!;
      this.held[this.at++] = EMPTY; // let go of each chunk once it is passed on
      if (this.at === this.held.length) this.held = [];
      return Promise.resolve({ done: false, value: chunk });
    }
    if (this.finished) return Promise.resolve(BODY_DONE);
    return this.rest.next().then(
      (r) => {
        if (!r.done) return r;
        this.finished = true;
        return BODY_DONE;
      },
      (err: unknown) => {
        this.finished = true;
        throw err;
      },
    );
  }

  return(): Promise<IteratorResult<Uint8Array, undefined>> {
    this.held = [];
    if (this.finished) return Promise.resolve(BODY_DONE);
    this.finished = true;
    return Promise.resolve(this.rest.return?.()).then(() => BODY_DONE);
  }
}
