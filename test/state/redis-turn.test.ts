/**
 * How src/state/redis-turn.ts holds a connection's writes: a lone request's until its turn's JavaScript is done,
 * under load until after the event loop's poll (so writes of several callbacks of one turn leave together). The
 * oracle is the kernel's count of write system calls (`syscw` of /proc/self/io) and what a real socket's peer
 * receives.
 */
import { readFileSync } from "node:fs";
import { connect, createServer, type Server, type Socket } from "node:net";
import { afterEach, describe, expect, it } from "vitest";
import { holdTurn } from "../../src/state/redis-turn.js";

function writes(): number {
  const m = /^syscw:\s*(\d+)$/m.exec(readFileSync("/proc/self/io", "utf8"));
  if (!m) throw new Error("/proc/self/io has no syscw");
  return Number(m[1]);
}

let server: Server | undefined;
let client: Socket | undefined;
afterEach(async () => {
  client?.destroy();
  await new Promise((r) => (server ? server.close(r) : r(undefined)));
  server = client = undefined;
});

/** A connected socket and the text its peer has received so far. */
async function pair(): Promise<{ socket: Socket; received: () => string }> {
  let text = "";
  server = createServer((s) => s.on("data", (d) => (text += d.toString())));
  await new Promise<void>((r) => server!.listen(0, "127.0.0.1", r));
  const port = (server.address() as { port: number }).port;
  client = connect(port, "127.0.0.1");
  await new Promise((r) => client!.once("connect", r));
  return { socket: client, received: () => text };
}

/** Sends `n` lines, each from its own setImmediate callback of one turn, holding the socket `late` or not at all. */
async function fromCallbacks(socket: Socket, n: number, hold: "late" | "none"): Promise<number> {
  const before = writes();
  await new Promise<void>((done) => {
    let ran = 0;
    for (let i = 0; i < n; i++)
      setImmediate(() => {
        if (hold === "late") holdTurn(socket, true);
        socket.write(`${i}\n`);
        if (++ran === n) setImmediate(() => setImmediate(done));
      });
  });
  return writes() - before;
}

const lines = (n: number) => Array.from({ length: n }, (_, i) => `${i}\n`).join("");

async function until(cond: () => boolean): Promise<void> {
  for (let i = 0; i < 200 && !cond(); i++) await new Promise((r) => setTimeout(r, 5));
}

describe("holding a connection's writes", () => {
  it.each([
    {
      name: "under load, the writes of every callback of a turn leave in one write, in order",
      hold: "late" as const,
      writes: (made: number) => expect(made).toBeLessThan(5),
    },
    {
      name: "without a hold, the same writes leave one by one",
      hold: "none" as const,
      writes: (made: number) => expect(made).toBeGreaterThanOrEqual(50),
    },
  ])("$name", async ({ hold, writes: check }) => {
    const { socket, received } = await pair();
    const made = await fromCallbacks(socket, 50, hold);
    await until(() => received().length === lines(50).length);
    expect(received()).toBe(lines(50));
    check(made);
  });

  it("alone, the turn's writes leave together before the event loop polls again", async () => {
    const { socket, received } = await pair();
    const before = writes();
    // Ten writes, each after a promise continuation of the same turn (as a request's stages await one another).
    for (let i = 0; i < 10; i++) {
      holdTurn(socket);
      socket.write(`${i}\n`);
      await Promise.resolve();
    }
    // Before anything the poll or a setImmediate could run: the turn's writes have left, together (ten without
    // the hold).
    const made = await new Promise<number>((r) => process.nextTick(() => process.nextTick(() => r(writes() - before))));
    expect(made).toBeGreaterThanOrEqual(1);
    expect(made).toBeLessThan(5);
    await until(() => received() === lines(10));
    expect(received()).toBe(lines(10));
  });
});
