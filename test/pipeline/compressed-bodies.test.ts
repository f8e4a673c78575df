import { readFileSync } from "node:fs";
import { brotliCompressSync, deflateRawSync, deflateSync, gzipSync } from "node:zlib";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { inflateBody } from "../../src/http/inflate.js";
import { type Body, type Harness, startHarness } from "../support/gateway.js";

const KEY = "svc-compressed-0123456789";
const fixture = (name: string) => readFileSync(new URL(`../fixtures/compressed/${name}`, import.meta.url));

const chat = (text: string) =>
  Buffer.from(JSON.stringify({ model: "via-anthropic", messages: [{ role: "user", content: text }] }));

/** A chat body whose text is `mb` MB of spaces: tiny compressed, large inflated. */
const bomb = (mb: number) => chat(" ".repeat(mb * 1024 * 1024));

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
});
