/**
 * flattenHead (src/http/flat-head.ts): the head node:http keeps for a response, built by appending header
 * lines, is held as a tree of pieces; flattened, the pieces are freed (read after full GCs: the heap holds
 * far less per head) and the head sent is the same bytes.
 */
import { createServer, type ServerResponse } from "node:http";
import { setFlagsFromString } from "node:v8";
import { runInNewContext } from "node:vm";
import { describe, expect, it } from "vitest";
import { flattenHead } from "../../src/http/flat-head.js";
import { rawHead } from "../support/raw-head.js";

setFlagsFromString("--expose-gc");
const gc = runInNewContext("gc") as () => void;

/** A head as node:http makes one: the status line, then each header line appended. */
function consHead(k: number): string {
  let head = "HTTP/1.1 200 OK\r\n";
  for (let i = 0; i < 8; i++) head += `x-llmux-header-${i}` + ": " + `value ${k} of header ${i}` + "\r\n";
  return head;
}

const heapAfterGc = () => {
  gc();
  gc();
  return process.memoryUsage().heapUsed;
};

/** The raw head a response of this server sends, read off a socket. */
async function headOf(flatten: boolean): Promise<string> {
  const server = createServer((_req, res: ServerResponse) => {
    res.writeHead(200, { "content-type": "text/event-stream", "x-request-id": "req_1", "llmux-route": "a/b" });
    if (flatten) flattenHead(res);
    res.write("data: 1\n\n");
    res.end();
  });
  return await rawHead(server);
}

describe("flattenHead", () => {
  it("frees the pieces of a head held on its response", () => {
    const n = 4000;
    const held = Array.from({ length: n }, (_, k) => ({ _header: consHead(k) }));
    const before = heapAfterGc();
    for (const res of held) flattenHead(res as unknown as ServerResponse);
    const after = heapAfterGc();
    // ~35 pieces of 32 bytes each per head: flattened, the tree's pieces go and the text stays (~400 bytes).
    expect((before - after) / n).toBeGreaterThan(500);
    expect(held[7]!._header).toBe(consHead(7));
  });

  it("leaves what the response sends as it was", async () => {
    const plain = await headOf(false);
    expect(plain).toContain("x-request-id: req_1\r\n");
    expect(await headOf(true)).toBe(plain);
  });

  it("ignores a response whose head is not made yet", () => {
    expect(() => flattenHead({} as ServerResponse)).not.toThrow();
  });
});
