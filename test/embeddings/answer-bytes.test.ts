import { describe, expect, it } from "vitest";
import { answerBytes } from "../../src/embeddings/answer.js";
import type { EmbedAsk } from "../../src/embeddings/ask.js";
import { fromBase64, toBase64 } from "../../src/embeddings/vectors.js";

/** The answer as it was built before it was written as bytes: an object, then JSON.stringify. */
function asObject(ask: EmbedAsk, vectors: (number[] | undefined)[], tokens: number): unknown {
  if (ask.format === "gemini") {
    const one = (v: number[] | undefined) => ({ values: v });
    return ask.batch ? { embeddings: vectors.map(one) } : { embedding: one(vectors[0]) };
  }
  return {
    object: "list",
    data: vectors.map((v, index) => ({
      object: "embedding",
      index,
      embedding: v === undefined ? undefined : ask.format === "base64" ? toBase64(v) : v,
    })),
    model: ask.model,
    usage: { prompt_tokens: tokens, total_tokens: tokens },
  };
}

const vectors = [
  [0.5, -0.25, 1e-7, 3.4028234663852886e38, -0, 0.1],
  [1, 2, 3, 4, 5, 6],
  Array.from({ length: 1536 }, (_, i) => Math.sin(i) / 2),
];

describe("the embeddings answer as bytes", () => {
  for (const format of ["float", "base64", "gemini"] as const) {
    for (const batch of [true, false]) {
      it(`is JSON.stringify's text of the answer, byte for byte (${format}, batch ${batch})`, () => {
        const ask: EmbedAsk = { model: "émbed-ü “3”\n", inputs: [], format, batch };
        const got = answerBytes(ask, { vectors, tokens: 42 });
        expect(got.equals(Buffer.from(JSON.stringify(asObject(ask, vectors, 42)), "utf8"))).toBe(true);
        expect(JSON.parse(got.toString("utf8"))).toEqual(JSON.parse(JSON.stringify(asObject(ask, vectors, 42))));
      });
    }
  }
  it("leaves out a vector that is missing, as JSON.stringify does", () => {
    for (const format of ["float", "base64", "gemini"] as const) {
      const ask: EmbedAsk = { model: "m", inputs: [], format, batch: true };
      const some = [vectors[0], undefined] as number[][];
      expect(answerBytes(ask, { vectors: some, tokens: 0 }).toString("utf8")).toBe(
        JSON.stringify(asObject(ask, some, 0)),
      );
    }
  });
  it("base64 float32: the same values back, from any offset of a buffer", () => {
    const v = Array.from({ length: 300 }, (_, i) => Math.fround(i / 7 - 20));
    const values = (x: Float32Array | undefined) => (x ? Array.from(x) : x);
    expect(values(fromBase64(toBase64(v)))).toEqual(v);
    // A one-value vector, decoded from a small (pooled) buffer: still exact.
    expect(values(fromBase64(toBase64([Math.fround(0.3)])))).toEqual([Math.fround(0.3)]);
    const bytes = Buffer.alloc(12);
    bytes.writeFloatLE(1.5, 0);
    bytes.writeFloatLE(-2.25, 4);
    bytes.writeFloatLE(Math.fround(1e-3), 8);
    expect(values(fromBase64(bytes.toString("base64")))).toEqual([1.5, -2.25, Math.fround(1e-3)]);
    expect(toBase64([1.5, -2.25, Math.fround(1e-3)])).toBe(bytes.toString("base64"));
  });
  it("vectors decoded from base64 answer the same bytes as their values as numbers, in every format", () => {
    const bytes = Buffer.alloc(4 * 6);
    for (const [i, x] of [0.5, -0.25, 1e-7, 3.4028234663852886e38, -0, 0.1].entries()) bytes.writeFloatLE(x, i * 4);
    bytes.writeFloatLE(Number.NaN, 16);
    const decoded = [fromBase64(bytes.toString("base64")), fromBase64(toBase64(vectors[2]!))];
    expect(decoded[0]).toBeInstanceOf(Float32Array);
    const asNumbers = decoded.map((v) => Array.from(v!));
    for (const format of ["float", "base64", "gemini"] as const) {
      for (const batch of [true, false]) {
        const ask: EmbedAsk = { model: "m", inputs: [], format, batch };
        const got = answerBytes(ask, { vectors: decoded, tokens: 3 }).toString("utf8");
        expect(got).toBe(JSON.stringify(asObject(ask, asNumbers, 3)));
      }
    }
    // A value that is not a number is written as JSON.stringify writes it (null); base64 keeps its bytes.
    expect(
      answerBytes({ model: "m", inputs: [], format: "float" }, { vectors: decoded, tokens: 3 }).toString(),
    ).toContain(",null,");
    const b64 = answerBytes({ model: "m", inputs: [], format: "base64" }, { vectors: decoded, tokens: 3 });
    expect(JSON.parse(b64.toString()).data[0].embedding).toBe(bytes.toString("base64"));
  });
});
