/** The result every finished body answers with (shared: nobody writes to it). */
export const BODY_DONE: IteratorReturnResult<undefined> = Object.freeze({ done: true, value: undefined });

/**
 * A body's chunks passed on one by one through `pass`, which may check, count or convert each, and throw to
 * stop the body. An iterator object rather than an async generator: an open stream holds one small object
 * per wrapper, where a suspended generator held its registers (the last chunk among them), its queued request
 * and their promises, about 0.7 KB per wrapper and stream, and it made more promises per chunk. An error
 * thrown by `pass` closes the source, as a for-await loop over it would; so does the consumer's `return`.
 */
export class PassingBody<T, U = T> implements AsyncIterableIterator<U> {
  private readonly it: AsyncIterator<T>;
  private finished = false;

  constructor(
    source: AsyncIterable<T>,
    private readonly pass: (chunk: T) => U,
  ) {
    this.it = source[Symbol.asyncIterator]();
  }

  [Symbol.asyncIterator](): this {
    return this;
  }

  next(): Promise<IteratorResult<U, undefined>> {
    if (this.finished) return Promise.resolve(BODY_DONE);
    return this.it.next().then(
      (r) => {
        if (r.done) {
          this.finished = true;
          return BODY_DONE;
        }
        let value: U;
        try {
          value = this.pass(r.value);
        } catch (err) {
          this.finished = true;
          const thrown = () => Promise.reject(err);
          return Promise.resolve(this.it.return?.()).then(thrown, thrown);
        }
        return { done: false, value };
      },
      (err: unknown) => {
        this.finished = true;
        throw err;
      },
    );
  }

  return(): Promise<IteratorResult<U, undefined>> {
    if (this.finished) return Promise.resolve(BODY_DONE);
    this.finished = true;
    return Promise.resolve(this.it.return?.()).then(() => BODY_DONE);
  }
}
