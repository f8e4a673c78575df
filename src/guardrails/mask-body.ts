import type { Json } from "../ir/types.js";

/**
 * The forms a secret found in a text may take in the client's JSON body: itself, and (found inside text that
 * is itself JSON, a tool call's arguments) the value that text's escapes stand for.
 */
export function bodyForms(value: string): string[] {
  const forms = [value];
  if (value.includes("\\")) {
    try {
      const opened = JSON.parse(`"${value}"`) as unknown;
      if (typeof opened === "string" && opened !== value) forms.push(opened);
    } catch {
      // not an escaped JSON string: the value alone
    }
  }
  return forms;
}

/** Every string of a JSON value with each secret (longest first) replaced by its placeholder; `n`: replacements made. */
export function maskJson(v: Json, pairs: readonly (readonly [string, string])[]): { value: Json; n: number } {
  const sorted = [...pairs].sort((a, b) => b[0].length - a[0].length);
  let n = 0;
  const walk = (x: Json): Json => {
    if (typeof x === "string") {
      let out = x;
      for (const [secret, placeholder] of sorted) {
        if (!out.includes(secret)) continue;
        const parts = out.split(secret);
        n += parts.length - 1;
        out = parts.join(placeholder);
      }
      return out;
    }
    if (Array.isArray(x)) return x.map(walk);
    if (x === null || typeof x !== "object") return x;
    const o: { [k: string]: Json } = {};
    for (const [k, y] of Object.entries(x)) o[k] = walk(y);
    return o;
  };
  return { value: walk(v), n };
}

/** The forms a value may take in a conversation llmux restores: itself, and escaped as inside JSON text. */
export function escapedForms(value: string): string[] {
  const escaped = JSON.stringify(value).slice(1, -1);
  return escaped === value ? [value] : [value, escaped];
}

/**
 * A restored conversation's messages and system prompt with every value of the mapping replaced by its
 * placeholder (a stored answer holds the values llmux put back into it), in place.
 */
export function maskRequest(
  ir: { messages: unknown[]; instructions?: unknown[] | undefined },
  mapping: ReadonlyMap<string, string>,
): number {
  const pairs = [...mapping].flatMap(([placeholder, value]) =>
    escapedForms(value).map((f) => [f, placeholder] as const),
  );
  const messages = maskJson(ir.messages as Json, pairs);
  ir.messages = messages.value as unknown[];
  let n = messages.n;
  if (ir.instructions) {
    const instructions = maskJson(ir.instructions as Json, pairs);
    ir.instructions = instructions.value as unknown[];
    n += instructions.n;
  }
  return n;
}
