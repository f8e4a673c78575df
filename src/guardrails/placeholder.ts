import { createHmac } from "node:crypto";

/** Every placeholder starts so, and is this long: a prefix and 16 lower-case hex digits. */
export const PLACEHOLDER_PREFIX = "LLMUX_MASK_";
const DIGITS = 16;
export const PLACEHOLDER_LENGTH = PLACEHOLDER_PREFIX.length + DIGITS;
const PLACEHOLDER = /LLMUX_MASK_[0-9a-f]{16}/g;

/**
 * The placeholder of a secret for one caller: a keyed HMAC of the value under the caller's own secret, so the
 * same secret gets the same placeholder turn after turn (a prompt cache keeps matching) and another caller's is
 * another.
 */
export function placeholderOf(value: string, callerSecret: string): string {
  const mac = createHmac("sha256", callerSecret).update("llmux-guardrails-mask\n").update(value).digest("hex");
  return `${PLACEHOLDER_PREFIX}${mac.slice(0, DIGITS)}`;
}

/** Placeholder → the secret it stands for, one caller's. */
export type Mapping = ReadonlyMap<string, string>;

/** A text with each placeholder the mapping knows put back; an unknown one (the model's own) stays as it is. */
export function unmask(text: string, mapping: Mapping): string {
  if (mapping.size === 0 || !text.includes(PLACEHOLDER_PREFIX)) return text;
  return text.replace(PLACEHOLDER, (p) => mapping.get(p) ?? p);
}

/** How much of a text's end may be the start of a placeholder still arriving (0: none). */
function pendingTail(text: string): number {
  const from = Math.max(0, text.length - PLACEHOLDER_LENGTH + 1);
  for (let i = from; i < text.length; i++) {
    const tail = text.slice(i);
    const n = Math.min(tail.length, PLACEHOLDER_PREFIX.length);
    if (tail.slice(0, n) !== PLACEHOLDER_PREFIX.slice(0, n)) continue;
    if (/^[0-9a-f]*$/.test(tail.slice(n))) return tail.length;
  }
  return 0;
}

/**
 * The restore of one streamed block (a text, a tool call's arguments): its deltas in, the same text out with the
 * placeholders put back, wherever the deltas cut them (a placeholder may come one byte a delta). Only what may
 * still be the start of a placeholder is held back, until the next delta says or the block ends (`flush`).
 */
export class StreamUnmask {
  private held = "";

  constructor(private readonly mapping: Mapping) {}

  push(delta: string): string {
    const text = this.held + delta;
    if (!text.includes("L")) {
      this.held = "";
      return text;
    }
    const keep = pendingTail(text);
    this.held = keep > 0 ? text.slice(text.length - keep) : "";
    return unmask(keep > 0 ? text.slice(0, text.length - keep) : text, this.mapping);
  }

  flush(): string {
    const rest = this.held;
    this.held = "";
    return unmask(rest, this.mapping);
  }
}
