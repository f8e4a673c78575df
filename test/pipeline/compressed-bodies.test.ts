import { randomBytes } from "node:crypto";
import { readFileSync } from "node:fs";
import { brotliCompressSync, deflateRawSync, deflateSync, gzipSync } from "node:zlib";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { inflateBody, MAX_CODINGS, zstdThread } from "../../src/http/inflate.js";
import { ZSTD_QUEUE_MAX, ZstdThread } from "../../src/http/zstd-thread.js";
import { type Body, type Harness, startHarness } from "../support/gateway.js";

const KEY = "svc-compressed-0123456789";
const zstdThreadDecoded = () => zstdThread.decoded;
const fixture = (name: string) => readFileSync(new URL(`../fixtures/compressed/${name}`, import.meta.url));

const chat = (text: string) =>
  Buffer.from(JSON.stringify({ model: "via-anthropic", messages: [{ role: "user", content: text }] }));

/** A chat body whose text is `mb` MB of spaces: tiny compressed, large inflated. */
const bomb = (mb: number) => chat(" ".repeat(mb * 1024 * 1024));

/**
 * `payload` in one zstd frame of raw blocks (RFC 8878: magic, a header with a window descriptor, blocks of at
 * most 128 KiB stored as they are): zstd any number of times over, without a zstd compressor.
 */
function zstdRaw(payload: Buffer, windowDescriptor = 0x38 /* 128 KiB */): Buffer {
  const blocks: Buffer[] = [Buffer.from([0x28, 0xb5, 0x2f, 0xfd, 0x00, windowDescriptor])];
  for (let at = 0; at < payload.length || at === 0; at += 128 * 1024) {
    const piece = payload.subarray(at, at + 128 * 1024);
    const last = at + 128 * 1024 >= payload.length ? 1 : 0;
    const h = (piece.length << 3) | last;
    blocks.push(Buffer.from([h & 0xff, (h >> 8) & 0xff, (h >> 16) & 0xff]), piece);
  }
  return Buffer.concat(blocks);
}

const times = (n: number, f: (b: Buffer) => Buffer, b: Buffer) => {
  for (let i = 0; i < n; i++) b = f(b);
  return b;
};

async function post(h: Harness, body: Buffer, encoding: string, path = "/v1/chat/completions") {
  const res = await fetch(`${h.url}${path}`, {
    method: "POST",
    headers: { authorization: `Bearer ${KEY}`, "content-type": "application/json", "content-encoding": encoding },
    body,
  });
  return { status: res.status, body: (await res.json()) as Body };
}

describe("compressed request bodies", () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness(() => ({ auth: { keys: [KEY] }, server: { body_limit_mb: 1 } }));
  });
  afterAll(() => h.close());

  const ENCODED: [string, () => Buffer, string][] = [
    ["zstd", () => fixture("chat.json.zst"), "zstd says hello"],
    ["gzip", () => gzipSync(chat("gzip says hello")), "gzip says hello"],
    ["deflate", () => deflateSync(chat("deflate says hello")), "deflate says hello"],
    ["deflate", () => deflateRawSync(chat("raw deflate says hello")), "raw deflate says hello"],
    ["br", () => brotliCompressSync(chat("brotli says hello")), "brotli says hello"],
    ["gzip, br", () => brotliCompressSync(gzipSync(chat("two codings"))), "two codings"],
    ["zstd, gzip", () => gzipSync(zstdRaw(chat("zstd then gzip"))), "zstd then gzip"],
  ];

  it.each(ENCODED)("content-encoding: %s is decoded before the body is read as JSON", async (encoding, make, said) => {
    const r = await post(h, make(), encoding);
    expect(r.status).toBe(200);
    expect(r.body.choices[0].message.content).toBe(`mock: ${said}`);
  });

  it.each([
    ["zstd", () => fixture("bomb-48mb.json.zst")],
    ["gzip", () => gzipSync(bomb(8))],
    ["br", () => brotliCompressSync(bomb(8))],
    ["deflate", () => deflateSync(bomb(8))],
  ] as [string, () => Buffer][])("a %s bomb is refused with 413 naming the limit", async (encoding, make) => {
    const body = make();
    expect(body.length).toBeLessThan(1024 * 1024);
    const r = await post(h, body, encoding);
    expect(r.status).toBe(413);
    expect(r.body.error.message).toContain("server.body_limit_mb");
    expect(r.body.error.message).toContain("decompressed");
  });

  it.each([
    ["gzip ×200", () => times(200, gzipSync, chat("deep")), Array(200).fill("gzip").join(", ")],
    [
      "zstd ×1000, gzip",
      () => gzipSync(times(1000, zstdRaw, chat("deep"))),
      `${Array(1000).fill("zstd").join(", ")}, gzip`,
    ],
    ["gzip ×3", () => times(3, gzipSync, chat("deep")), "gzip, gzip, gzip"],
  ] as [string, () => Buffer, string][])(
    "%s is refused at once with 415 naming content-encoding",
    async (_, make, encoding) => {
      const r = await post(h, make(), encoding);
      expect(r.status).toBe(415);
      expect(r.body.error.message).toContain("content-encoding");
      expect(r.body.error.message).toContain(`at most ${MAX_CODINGS}`);
    },
  );

  it("one cap holds across the layers together: two that each fit but not together are a 413", async () => {
    // ~0.55 MB of brotli (base64 text barely compresses) around ~0.7 MB of JSON: 1.25 MB inflated in all,
    // each layer under the 1 MB limit.
    const text = randomBytes(520_000).toString("base64");
    const middle = brotliCompressSync(chat(text));
    expect(middle.length).toBeLessThan(1024 * 1024);
    expect(middle.length + chat(text).length).toBeGreaterThan(1024 * 1024);
    const r = await post(h, gzipSync(middle), "br, gzip");
    expect(r.status).toBe(413);
    expect(r.body.error.message).toContain("server.body_limit_mb");
  });

  it("a zstd frame declaring a 2 GB window is refused before any of it is allocated", async () => {
    // Window descriptor 0xa8: 2^(10+21) = 2 GiB; the content is one small raw block.
    const r = await post(h, zstdRaw(chat("tiny"), 0xa8), "zstd");
    expect(r.status).toBe(413);
    expect(r.body.error.message).toMatch(/window \(2048 MB\)/);
  });

  it("zstd headers that are not valid are a 400 before decoding: a 24-byte body cost seconds and 250 MB", async () => {
    // A single-segment frame of 87 bytes whose first block is of the reserved type and 2 MB long (found by the
    // fuzz suite: handed to fzstd, it spent 2 s of the zstd thread and 250 MB before failing).
    const spoilt = Buffer.from("28b52ffde0570000000000000f53ff3ffb00b902007b226d", "hex");
    const r = await post(h, spoilt, "zstd");
    expect(r.status).toBe(400);
    expect(r.body.error.message).toMatch(/not valid zstd .*headers are not valid/);
    const decodedBefore = zstdThreadDecoded();
    await expect(inflateBody(spoilt, "zstd", 1024 * 1024)).rejects.toMatchObject({ info: { status: 400 } });
    expect(zstdThreadDecoded()).toBe(decodedBefore);
    // An RLE block longer than its frame's window (a frame of 87 bytes) is not valid either.
    const rle = Buffer.from("28b52ffde0570000000000000b53ff41", "hex");
    await expect(inflateBody(rle, "zstd", 1024 * 1024)).rejects.toMatchObject({ info: { status: 400 } });
  });

  it("an unknown coding is a 415 naming it; a broken body a 400 naming the header", async () => {
    const unknown = await post(h, chat("x"), "compress");
    expect(unknown.status).toBe(415);
    expect(unknown.body.error.message).toContain("'compress'");
    const broken = await post(h, Buffer.from("not gzip at all"), "gzip");
    expect(broken.status).toBe(400);
    expect(broken.body.error.message).toContain("content-encoding");
  });
});

describe("inflateBody", () => {
  it.each(["zstd", "gzip", "br", "deflate"])("never hands back more than the cap (%s)", async (encoding) => {
    const packed =
      encoding === "zstd"
        ? fixture("bomb-48mb.json.zst")
        : encoding === "gzip"
          ? gzipSync(bomb(8))
          : encoding === "br"
            ? brotliCompressSync(bomb(8))
            : deflateSync(bomb(8));
    await expect(inflateBody(packed, encoding, 2 * 1024 * 1024)).rejects.toMatchObject({ info: { status: 413 } });
  });

  it("decodes zstd off the event loop: it keeps turning while a bomb is decoded", async () => {
    let turns = 0;
    let decoding = true;
    const spin = () => {
      if (!decoding) return;
      turns++;
      setImmediate(spin);
    };
    setImmediate(spin);
    const refused = inflateBody(fixture("bomb-48mb.json.zst"), "zstd", 32 * 1024 * 1024);
    await expect(refused).rejects.toMatchObject({ info: { status: 413 } });
    decoding = false;
    // Decoded in one go on the main thread, the event loop would not turn once before the answer.
    expect(turns).toBeGreaterThan(0);
    // The thread decodes what it is given, whole.
    expect((await inflateBody(fixture("chat.json.zst"), "zstd", 1024 * 1024)).toString()).toContain("zstd says hello");
  });

  it(`queues at most ${ZSTD_QUEUE_MAX} bodies for the zstd thread; one more is refused, not queued`, async () => {
    const thread = new ZstdThread(10);
    const body = fixture("chat.json.zst");
    const queued = Array.from({ length: ZSTD_QUEUE_MAX }, () => thread.decode(body, 1024 * 1024));
    expect(await thread.decode(body, 1024 * 1024)).toEqual({ busy: true });
    for (const r of await Promise.all(queued)) expect("out" in r && r.out.toString()).toContain("zstd says hello");
    expect(thread.decoded).toBe(ZSTD_QUEUE_MAX);
  });
});
