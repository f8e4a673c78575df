/**
 * Vectors as the OpenAI API carries them: arrays of numbers (`encoding_format: "float"`) or the bytes of
 * little-endian float32 values in base64 (`"base64"`, what the official SDKs ask for by default). The
 * conversions go through a Float32Array (native copies) rather than a read or write call per value: a batch
 * of 64 vectors of 1536 values is 98,304 of them.
 */
import { endianness } from "node:os";

const LITTLE = endianness() === "LE";

/** A vector's float32 values, little-endian. */
function float32Bytes(vector: readonly number[]): Buffer {
  if (LITTLE) {
    const f = Float32Array.from(vector);
    return Buffer.from(f.buffer, f.byteOffset, f.byteLength);
  }
  const buf = Buffer.allocUnsafe(vector.length * 4);
  for (let i = 0; i < vector.length; i++) buf.writeFloatLE(vector[i]!, i * 4);
  return buf;
}

/** A vector as base64 float32 (little-endian). */
export function toBase64(vector: readonly number[]): string {
  return float32Bytes(vector).toString("base64");
}

/** A base64 float32 vector as numbers; undefined when the text is not whole float32 values. */
export function fromBase64(text: string): number[] | undefined {
  const buf = Buffer.from(text, "base64");
  if (buf.length % 4 !== 0) return undefined;
  const n = buf.length / 4;
  if (LITTLE) {
    // A view needs 4-byte alignment (Node's pool aligns its slices to 8; otherwise the bytes are copied once).
    if (buf.byteOffset % 4 === 0) return Array.from(new Float32Array(buf.buffer, buf.byteOffset, n));
    const copy = new Float32Array(n);
    new Uint8Array(copy.buffer).set(buf);
    return Array.from(copy);
  }
  const out = new Array<number>(n);
  for (let i = 0; i < n; i++) out[i] = buf.readFloatLE(i * 4);
  return out;
}

/** A vector an upstream sent: numbers, or base64 float32 text. Undefined when it is neither. */
export function vectorOf(v: unknown): number[] | undefined {
  if (typeof v === "string") return fromBase64(v);
  if (!Array.isArray(v)) return undefined;
  for (const x of v) if (typeof x !== "number" || !Number.isFinite(x)) return undefined;
  return v as number[];
}
