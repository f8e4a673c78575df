/** A body past the size a reader allows. */
export class BodyTooLarge extends Error {
  constructor(readonly max: number) {
    super(`more than ${max} bytes`);
  }
}

/**
 * A body that reads itself whole without being iterated (an upstream response, by its events:
 * src/upstream/read-reply.ts). Past `max` bytes it rejects with BodyTooLarge.
 */
export interface ReadsWhole {
  readWhole(max: number): Promise<Buffer>;
}

const readsWhole = (body: unknown): body is ReadsWhole => typeof (body as Partial<ReadsWhole>).readWhole === "function";

/**
 * The one reader of whole bodies (an upstream's JSON answer, an error reply, a body replayed to a client):
 * every chunk read and joined once. Past `max` bytes, `over: "throw"` stops at once with BodyTooLarge;
 * `over: "keep"` keeps the first `max` bytes and reads the rest to its end (the connection stays reusable).
 */
export async function readWhole(
  body: AsyncIterable<Uint8Array>,
  max = Number.POSITIVE_INFINITY,
  over: "throw" | "keep" = "throw",
): Promise<Buffer> {
  if (over === "throw" && readsWhole(body)) return body.readWhole(max);
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const c of body) {
    const chunk = Buffer.from(c.buffer, c.byteOffset, c.length);
    if (size + chunk.length > max) {
      if (over === "throw") throw new BodyTooLarge(max);
      if (size < max) chunks.push(chunk.subarray(0, max - size));
      size = max;
      continue;
    }
    chunks.push(chunk);
    size += chunk.length;
  }
  return chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks, size);
}

/** A body already read, to be read again (given back as one chunk). */
export async function* bodyOf(bytes: Uint8Array): AsyncGenerator<Uint8Array> {
  yield bytes;
}
