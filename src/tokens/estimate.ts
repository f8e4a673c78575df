import { setImmediate as yieldToLoop } from "node:timers/promises";
import { TokenizerThread } from "./tokenizer-thread.js";

/**
 * BPE costs grow with the square of a word's length (a 128 KB run of letters took 20 s), so text is
 * tokenized in pieces of at most this many characters: each piece costs a bounded time, the whole is linear.
 */
export const PIECE_CHARS = 256;
/** Past this many characters, evenly spread pieces are tokenized and the rest is extrapolated from them. */
export const EXACT_CHARS = 128 * 1024;
/** Counting here (when the thread is unavailable) yields to the event loop at least this often, in ms. */
const TURN_MS = 8;

const thread = new TokenizerThread();
let local: Promise<(text: string) => number> | undefined;

/**
 * Where a piece starting at `from` ends: at a space in its second half when there is one, so words stay
 * whole. Only that half is searched (a search back from the limit would cross the whole text before it when
 * it has no space: quadratic in its length).
 */
function pieceEnd(text: string, from: number): number {
  const limit = from + PIECE_CHARS;
  if (limit >= text.length) return text.length;
  for (let i = limit; i > from + PIECE_CHARS / 2; i--) if (text.charCodeAt(i) === 32) return i;
  return limit;
}

/**
 * The pieces a text is counted by: consecutive ones up to EXACT_CHARS; past it, as many as EXACT_CHARS holds,
 * spread evenly over the whole text (`seen` is how many characters they cover).
 */
function piecesOf(text: string): { pieces: string[]; seen: number; sampled: boolean } {
  const sampled = text.length > EXACT_CHARS;
  const stride = sampled ? Math.floor(text.length / Math.ceil(EXACT_CHARS / PIECE_CHARS)) : 0;
  const pieces: string[] = [];
  let seen = 0;
  for (let from = 0; from < text.length; ) {
    const end = pieceEnd(text, from);
    pieces.push(text.slice(from, end));
    seen += end - from;
    from = sampled ? from + stride : end;
  }
  return { pieces, seen, sampled };
}

/** Counts pieces on this thread, yielding to the event loop every few milliseconds (the thread's fallback). */
async function countHere(pieces: readonly string[]): Promise<number> {
  local ??= import("gpt-tokenizer/encoding/o200k_base").then((m) => (text: string) => m.countTokens(text));
  const count = await local;
  let tokens = 0;
  let turn = performance.now();
  for (const piece of pieces) {
    tokens += count(piece);
    if (performance.now() - turn >= TURN_MS) {
      await yieldToLoop();
      turn = performance.now();
    }
  }
  return tokens;
}

/**
 * Estimated tokens of a text, in time linear in its length and bounded overall: texts longer than
 * EXACT_CHARS are sampled (pieces spread evenly over the whole text) and scaled. The pieces are tokenized on
 * the tokenizer's own thread, so a huge count never holds up other requests (on this thread, in short turns,
 * if that thread fails).
 */
export async function estimateTokens(text: string): Promise<number> {
  if (text.length === 0) return 0;
  const { pieces, seen, sampled } = piecesOf(text);
  let tokens: number;
  try {
    tokens = await thread.count(pieces);
  } catch {
    tokens = await countHere(pieces);
  }
  return sampled ? Math.round((tokens * text.length) / seen) : tokens;
}
