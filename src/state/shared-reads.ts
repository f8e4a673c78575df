/**
 * Reads of the hot state that the requests of one instance share while one is under way: under load, many
 * requests ask for the same key within one round trip (a deployment's availability, a session's running
 * cost), and each would otherwise send its own command and parse its own reply.
 *
 * A shared read never outlives a write of this instance to what it reads: `wrote` ends the sharing when the
 * write is sent and again when it is done, so a request that starts after one of its instance's writes reads
 * anew (an instance always sees its own writes, as with one command per request on one connection). Another
 * instance's write is seen as it would be by an unshared read sent a moment earlier.
 *
 * Entries live only while their read is under way: the map holds at most one per key being read.
 */
export class SharedReads<T> {
  private readonly pending = new Map<string, Promise<T>>();

  /** The read of `key` under way, or a new one made by `fetch`. */
  read(key: string, fetch: () => Promise<T>): Promise<T> {
    const shared = this.pending.get(key);
    if (shared !== undefined) return shared;
    const read = fetch();
    this.pending.set(key, read);
    const done = () => this.end(key, read);
    read.then(done, done);
    return read;
  }

  /** A write (already sent) to what `key` reads: no read begun before it is shared from now on. */
  wrote<W>(key: string, write: Promise<W>): Promise<W> {
    this.pending.delete(key);
    const done = () => this.pending.delete(key);
    write.then(done, done);
    return write;
  }

  private end(key: string, read: Promise<T>): void {
    if (this.pending.get(key) === read) this.pending.delete(key);
  }
}
