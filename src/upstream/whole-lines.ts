const NEWLINE = 0x0a;

/**
 * A stream rewriter that works on whole lines: each pushed chunk gives back the lines it completed (rewritten by
 * `rewrite`), the unfinished last line is held until its end comes (in the chunks it came in, joined once:
 * linear time), and `end()` gives back what was held.
 */
export abstract class WholeLines {
  private pending: Buffer[] = [];

  /** Rewrites a run of whole lines (the last may be unfinished at the end of the stream). */
  protected abstract rewrite(buf: Buffer): Uint8Array;

  push(chunk: Uint8Array): Uint8Array {
    const piece = Buffer.from(chunk.buffer, chunk.byteOffset, chunk.length);
    const last = piece.lastIndexOf(NEWLINE);
    if (last < 0) {
      this.pending.push(Buffer.from(piece));
      return new Uint8Array(0);
    }
    const head = piece.subarray(0, last + 1);
    const buf = this.pending.length > 0 ? Buffer.concat([...this.pending, head]) : head;
    this.pending = last + 1 < piece.length ? [Buffer.from(piece.subarray(last + 1))] : [];
    return this.rewrite(buf);
  }

  end(): Uint8Array {
    const rest = this.pending;
    this.pending = [];
    return rest.length > 0 ? this.rewrite(Buffer.concat(rest)) : new Uint8Array(0);
  }
}
