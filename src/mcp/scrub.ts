import { REDACTED } from "../secrets/redact.js";

/**
 * A value with every known credential of the MCP servers replaced by [REDACTED], wherever it occurs in its
 * text (a tool that prints its environment, an error that quotes a header). Exact values only: no shapes, so a
 * tool's answer is otherwise as the server wrote it. The structure is walked and only its strings (values and
 * keys) are looked at: nothing is serialised and parsed again, and what holds no secret is kept as it is (the
 * same objects). Results from a server are bounded (result-bounds.ts) before they get here.
 */
export function scrubbed<T>(value: T, secrets: readonly string[]): T {
  if (secrets.length === 0) return value;
  if (value instanceof Error) {
    value.message = scrubText(value.message, secrets);
    return value;
  }
  return walk(value, secrets) as T;
}

function walk(value: unknown, secrets: readonly string[]): unknown {
  if (typeof value === "string") return scrubText(value, secrets);
  if (value === null || typeof value !== "object") return value;
  if (Array.isArray(value)) {
    let out: unknown[] | undefined;
    for (let i = 0; i < value.length; i++) {
      const v = value[i];
      const clean = walk(v, secrets);
      if (clean !== v) {
        out ??= value.slice();
        out[i] = clean;
      }
    }
    return out ?? value;
  }
  let out: Record<string, unknown> | undefined;
  const o = value as Record<string, unknown>;
  for (const k of Object.keys(o)) {
    const v = o[k];
    const clean = walk(v, secrets);
    const key = scrubText(k, secrets);
    if (clean !== v || key !== k) {
      out ??= { ...o };
      if (key !== k) delete out[k];
      out[key] = clean;
    }
  }
  return out ?? value;
}

function scrubText(text: string, secrets: readonly string[]): string {
  let out = text;
  for (const s of secrets) if (s && out.includes(s)) out = out.split(s).join(REDACTED);
  return out;
}
