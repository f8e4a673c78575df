import { PassingBody } from "./passing-body.js";
import { AnswerTooLarge, tooLarge } from "./screen.js";

/** An event-stream message's prelude (total length, headers length, prelude CRC) and its closing CRC. */
const PRELUDE_BYTES = 12;
const TRAILER_BYTES = 4;

/**
 * Bounds the messages of an AWS event-stream body (`application/vnd.amazon.eventstream`, Bedrock's streams)
 * by `server.max_event_mb`: each message declares its total length in its first 4 bytes, and a message
 * declared larger than `max` is refused there, before any of it is held (AWS's decoder allocates a message's
 * declared length as soon as it reads it). The bytes pass through unchanged.
 */
export function capFrames(body: AsyncIterable<Uint8Array>, max: number): AsyncIterableIterator<Uint8Array> {
  /** Bytes of the current message still to come after its length (0: the next byte starts a message). */
  let rest = 0;
  /** The length bytes of the next message read so far (a length may be cut across reads). */
  const length: number[] = [];
  return new PassingBody(body, (chunk: Uint8Array) => {
    let i = 0;
    while (i < chunk.length) {
      if (rest > 0) {
        const take = Math.min(rest, chunk.length - i);
        rest -= take;
        i += take;
        continue;
      }
      length.push(chunk[i]!);
      i++;
      if (length.length < 4) continue;
      const total = ((length[0]! << 24) | (length[1]! << 16) | (length[2]! << 8) | length[3]!) >>> 0;
      length.length = 0;
      if (total > max) throw new AnswerTooLarge(tooLarge("a single event-stream message", "server.max_event_mb", max));
      if (total < PRELUDE_BYTES + TRAILER_BYTES)
        throw new AnswerTooLarge(`an event-stream message declares ${total} bytes, fewer than its own framing`);
      rest = total - 4;
    }
    return chunk;
  });
}
