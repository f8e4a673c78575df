import { REDACTED } from "../secrets/redact.js";

/**
 * A value with every known credential of the MCP servers replaced by [REDACTED], wherever it occurs in its
 * text (a tool that prints its environment, an error that quotes a header). Exact values only: no shapes, so a
 * tool's answer is otherwise as the server wrote it.
 */
export function scrubbed<T>(value: T, secrets: readonly string[]): T {
  if (secrets.length === 0) return value;
  if (typeof value === "string") return scrubText(value, secrets) as T;
  if (value instanceof Error) {
    value.message = scrubText(value.message, secrets);
    return value;
  }
  const text = JSON.stringify(value);
  const clean = scrubText(
    text,
    secrets.map((s) => JSON.stringify(s).slice(1, -1)),
  );
  return clean === text ? value : (JSON.parse(clean) as T);
}

function scrubText(text: string, secrets: readonly string[]): string {
  let out = text;
  for (const s of secrets) if (out.includes(s)) out = out.split(s).join(REDACTED);
  return out;
}
