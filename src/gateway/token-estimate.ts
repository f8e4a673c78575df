import { setImmediate as yieldToLoop } from "node:timers/promises";

let encoder: Promise<(text: string) => number> | undefined;

function tokenizer(): Promise<(text: string) => number> {
  encoder ??= import("gpt-tokenizer/encoding/o200k_base").then((m) => (text: string) => m.countTokens(text));
  return encoder;
}

/**
 * BPE costs grow with the square of a word's length (a 128 KB run of letters took 20 s), so text is
 * tokenized in pieces of at most this many characters: each piece costs a bounded time, the whole is linear.
 */
export const PIECE_CHARS = 256;
/** Past this many characters, evenly spread pieces are tokenized and the rest is extrapolated from them. */
export const EXACT_CHARS = 128 * 1024;
/** Pieces tokenized between two turns of the event loop (other requests run in between). */
const PIECES_PER_TURN = 64;

/** Where a piece starting at `from` ends: at a space near the limit when there is one, so words stay whole. */
function pieceEnd(text: string, from: number): number {
  const limit = from + PIECE_CHARS;
  if (limit >= text.length) return text.length;
  const space = text.lastIndexOf(" ", limit);
  return space > from + PIECE_CHARS / 2 ? space : limit;
}

/**
 * Estimated tokens of a text, in time linear in its length and bounded overall: texts longer than
 * EXACT_CHARS are sampled (pieces spread evenly over the whole text) and scaled. The work yields to the
 * event loop regularly, so a huge count never holds up other requests.
 */
export async function estimateTokens(text: string): Promise<number> {
  if (text.length === 0) return 0;
  const count = await tokenizer();
  const sampled = text.length > EXACT_CHARS;
  // exact: consecutive pieces; sampled: as many pieces as EXACT_CHARS holds, spread evenly
  const stride = sampled ? Math.floor(text.length / Math.ceil(EXACT_CHARS / PIECE_CHARS)) : 0;
  let tokens = 0;
  let seen = 0;
  let pieces = 0;
  for (let from = 0; from < text.length; ) {
    const end = pieceEnd(text, from);
    tokens += count(text.slice(from, end));
    seen += end - from;
    from = sampled ? from + stride : end;
    if (++pieces % PIECES_PER_TURN === 0) await yieldToLoop();
  }
  return sampled ? Math.round((tokens * text.length) / seen) : tokens;
}
