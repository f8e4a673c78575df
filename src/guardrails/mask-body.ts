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
