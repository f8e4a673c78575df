/**
 * Vectors as the OpenAI API carries them: arrays of numbers (`encoding_format: "float"`) or the bytes of
 * little-endian float32 values in base64 (`"base64"`, what the official SDKs ask for by default). A vector
 * decoded from base64 stays float32 values in a Float32Array (a view of the decoded bytes where they are
 * aligned): a base64 answer relayed as base64 is decoded and encoded natively, never made into numbers one by
 * one (a batch of 64 vectors of 1536 values is 98,304 of them).
 */
import { endianness } from "node:os";

const LITTLE = endianness() === "LE";

/** A vector as llmux carries it: the numbers an upstream sent, or float32 values decoded from base64. */
export type Vector = readonly number[] | Float32Array;

/** A vector's float32 values, little-endian. */
function float32Bytes(vector: Vector): Buffer {
  if (LITTLE) {
    const f = vector instanceof Float32Array ? vector : Float32Array.from(vector);
    return Buffer.from(f.buffer, f.byteOffset, f.byteLength);
  }
  const buf = Buffer.allocUnsafe(vector.length * 4);
  for (let i = 0; i < vector.length; i++) buf.writeFloatLE(vector[i]!, i * 4);
  return buf;
}

/** A vector as base64 float32 (little-endian). */
export function toBase64(vector: Vector): string {
  return float32Bytes(vector).toString("base64");
}

/** A base64 float32 vector's values; undefined when the text is not whole float32 values. */
export function fromBase64(text: string): Float32Array | undefined {
  const buf = Buffer.from(text, "base64");
  if (buf.length % 4 !== 0) return undefined;
  const n = buf.length / 4;
  if (LITTLE) {
    // A view needs 4-byte alignment (Node's pool aligns its slices to 8; otherwise the bytes are copied once).
    if (buf.byteOffset % 4 === 0) return new Float32Array(buf.buffer, buf.byteOffset, n);
    const copy = new Float32Array(n);
    new Uint8Array(copy.buffer).set(buf);
    return copy;
  }
  const out = new Float32Array(n);
  for (let i = 0; i < n; i++) out[i] = buf.readFloatLE(i * 4);
  return out;
}

/** A vector as a JSON array of numbers: JSON.stringify's text of its values (a value that is not finite: null). */
export function numbersJson(vector: Vector): string {
  if (!(vector instanceof Float32Array)) return JSON.stringify(vector);
  // Copied into an array of doubles first: JSON.stringify writes those natively (a typed array it writes as an object).
  const values = new Array<number>(vector.length);
  for (let i = 0; i < vector.length; i++) values[i] = vector[i]!;
  return JSON.stringify(values);
}

/** A vector an upstream sent: numbers, or base64 float32 text. Undefined when it is neither. */
export function vectorOf(v: unknown): Vector | undefined {
  if (typeof v === "string") return fromBase64(v);
  if (!Array.isArray(v)) return undefined;
  for (const x of v) if (typeof x !== "number" || !Number.isFinite(x)) return undefined;
  return v as number[];
}
