/**
 * Bodies under stacks of content-codings: gzip, deflate (zlib and raw), br and zstd, each applied for real or
 * corrupted, the header naming what was applied or lying about it (more layers, other codings, unknown ones),
 * and bombs (megabytes of zeros in a few kilobytes).
 */
import { brotliCompressSync, deflateRawSync, deflateSync, gzipSync } from "node:zlib";
import fc from "fast-check";
import { byteOp, bytesMutant, mutateBytes } from "./mutate.js";

type Coding = "gzip" | "x-gzip" | "deflate" | "br" | "zstd" | "identity" | "compress" | "";

/** A zstd frame of raw (stored) blocks: valid zstd any decoder reads, made without a compressor. */
export function zstdStored(b: Buffer, windowByte?: number): Buffer {
  const head =
    windowByte === undefined
      ? Buffer.concat([Buffer.from([0x28, 0xb5, 0x2f, 0xfd, 0xe0]), u64(b.length)])
      : Buffer.from([0x28, 0xb5, 0x2f, 0xfd, 0x00, windowByte & 0xff]);
  const blocks: Buffer[] = [];
  const MAX = 128 * 1024;
  for (let at = 0; at < b.length || (at === 0 && blocks.length === 0); at += MAX) {
    const piece = b.subarray(at, at + MAX);
    const last = at + MAX >= b.length ? 1 : 0;
    const h = (piece.length << 3) | last;
    blocks.push(Buffer.from([h & 0xff, (h >> 8) & 0xff, (h >> 16) & 0xff]), piece);
    if (b.length === 0) break;
  }
  return Buffer.concat([head, ...blocks]);
}

function u64(n: number): Buffer {
  const out = Buffer.alloc(8);
  out.writeBigUInt64LE(BigInt(n));
  return out;
}

function encodeOne(c: Coding, b: Buffer, windowByte: number | undefined): Buffer {
  switch (c) {
    case "gzip":
    case "x-gzip":
      return gzipSync(b);
    case "deflate":
      return windowByte !== undefined && windowByte % 2 === 0 ? deflateRawSync(b) : deflateSync(b);
    case "br":
      return brotliCompressSync(b);
    case "zstd":
      return zstdStored(b, windowByte);
    default:
      return b;
  }
}

/** Layers applied (first applied first), what the header says, and how each layer is spoilt. */
export interface CodingStack {
  header: string;
  encode(b: Buffer): Buffer;
}

const coding = fc.constantFrom<Coding>(
  "gzip",
  "deflate",
  "br",
  "zstd",
  "zstd",
  "gzip",
  "identity",
  "x-gzip",
  "compress",
  "",
);

export const codingStack: fc.Arbitrary<CodingStack> = fc
  .record({
    applied: fc.array(coding, { maxLength: 3 }),
    lie: fc.option(fc.array(coding, { maxLength: 4 }), { freq: 4 }),
    spoil: fc.array(fc.option(fc.array(byteOp, { minLength: 1, maxLength: 3 }), { freq: 3 }), { maxLength: 3 }),
    windowByte: fc.option(fc.integer({ min: 0, max: 255 }), { freq: 2 }),
    spaces: fc.boolean(),
  })
  .map(({ applied, lie, spoil, windowByte, spaces }) => {
    const named = lie ?? [...applied];
    return {
      header: named.join(spaces ? " , " : ","),
      encode(b: Buffer) {
        let out = b;
        applied.forEach((c, i) => {
          out = encodeOne(c, out, windowByte ?? undefined);
          const ops = spoil[i];
          if (ops) out = mutateBytes(out, ops);
        });
        return out;
      },
    };
  });

/** Zeros that inflate to megabytes (past any cap a test sets), under one or two codings. */
const bombs: Buffer[] = [
  gzipSync(Buffer.alloc(4 * 1024 * 1024)),
  gzipSync(gzipSync(Buffer.alloc(16 * 1024 * 1024))),
  brotliCompressSync(Buffer.alloc(8 * 1024 * 1024)),
];

const plain = Buffer.from(
  JSON.stringify({ model: "via-mock-chat", messages: [{ role: "user", content: "fz0 compressed hello" }] }),
);

/** A chat body under a coding stack, a bomb, or bytes that are not what the header says. */
export const encodedBody: fc.Arbitrary<{ raw: Buffer; header: string }> = fc.oneof(
  { weight: 6, arbitrary: codingStack.map((s) => ({ raw: s.encode(plain), header: s.header })) },
  {
    weight: 1,
    arbitrary: fc
      .record({
        i: fc.nat({ max: bombs.length - 1 }),
        header: fc.constantFrom("gzip", "gzip, gzip", "br", "gzip, br", "zstd"),
      })
      .map(({ i, header }) => ({
        raw: bombs[i]!,
        header: i === 2 && header === "gzip" ? "br" : i === 1 ? "gzip, gzip" : header,
      })),
  },
  {
    weight: 2,
    arbitrary: fc
      .record({ raw: bytesMutant([zstdStored(plain), gzipSync(plain), brotliCompressSync(plain)]), header: coding })
      .map(({ raw, header }) => ({ raw, header: header || "gzip" })),
  },
);
