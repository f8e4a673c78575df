/** A reply made in process (the built-in mock, the Cursor runtime) in place of an HTTP upstream's. */
export interface LocalReply {
  status: number;
  headers: Record<string, string>;
  body: AsyncIterable<Uint8Array>;
}
