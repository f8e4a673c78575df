/**
 * Vectors as the OpenAI API carries them: arrays of numbers (`encoding_format: "float"`) or the bytes of
 * little-endian float32 values in base64 (`"base64"`, what the official SDKs ask for by default).
 */

/** A vector as base64 float32 (little-endian). */
export function toBase64(vector: readonly number[]): string {
  const buf = Buffer.allocUnsafe(vector.length * 4);
  for (let i = 0; i < vector.length; i++) buf.writeFloatLE(vector[i]!, i * 4);
  return buf.toString("base64");
}

/** A base64 float32 vector as numbers; undefined when the text is not whole float32 values. */
export function fromBase64(text: string): number[] | undefined {
  const buf = Buffer.from(text, "base64");
  if (buf.length % 4 !== 0) return undefined;
  const out = new Array<number>(buf.length / 4);
  for (let i = 0; i < out.length; i++) out[i] = buf.readFloatLE(i * 4);
  return out;
}

/** A vector an upstream sent: numbers, or base64 float32 text. Undefined when it is neither. */
export function vectorOf(v: unknown): number[] | undefined {
  if (typeof v === "string") return fromBase64(v);
  if (!Array.isArray(v)) return undefined;
  for (const x of v) if (typeof x !== "number" || !Number.isFinite(x)) return undefined;
  return v as number[];
}
