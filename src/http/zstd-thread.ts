import { createRequire } from "node:module";
import { Worker } from "node:worker_threads";
import { JobThread } from "../thread/job-thread.js";

/**
 * The program of the zstd thread (plain JavaScript, run as a script of its own in Node and under test runners
 * alike): fzstd, the whole body at once, stopping at the first block past the job's budget; the output is
 * handed back in an ArrayBuffer of its own (transferred, not copied).
 */
const PROGRAM = `
const { parentPort, workerData } = require("node:worker_threads");
const { Decompress } = require(workerData.fzstd);
const OVER = {};
parentPort.on("message", (m) => {
  if (m.close) return parentPort.close();
  const parts = [];
  let size = 0;
  try {
    const d = new Decompress((chunk) => {
      size += chunk.length;
      if (size > m.budget) throw OVER;
      parts.push(chunk);
    });
    d.push(m.input, true);
  } catch (err) {
    if (err === OVER) return parentPort.postMessage({ id: m.id, over: true });
    return parentPort.postMessage({ id: m.id, error: String((err && err.message) || err) });
  }
  const out = new Uint8Array(size);
  let at = 0;
  for (const p of parts) { out.set(p, at); at += p.length; }
  parentPort.postMessage({ id: m.id, out }, [out.buffer]);
});
`;

/** A thread with nothing to decode for this long stops (the next body starts another). */
const IDLE_MS = 30_000;

/** Bodies waiting for the thread at most; one more is refused (503) rather than queued. */
export const ZSTD_QUEUE_MAX = 32;

export type ZstdResult = { out: Buffer } | { over: true } | { error: string } | { busy: true };

/** What the thread answers a body with. */
interface Decoded {
  readonly id: number;
  readonly out?: Uint8Array;
  readonly over?: boolean;
  readonly error?: string;
}

/**
 * zstd decoded in JavaScript (fzstd) on a thread of its own, for a Node without zstd in zlib (before 22.15):
 * decoding a body takes tens to hundreds of milliseconds of CPU, which on the main thread stalled every other
 * request (`zstd` ×1000 layers: a minute). Bodies are decoded one at a time, at most `ZSTD_QUEUE_MAX` waiting.
 * The thread starts with the first body, holds the process open only while one is on its way, stops after a
 * while without any, and is started again if it dies (the bodies it had are refused as undecodable): a
 * `JobThread` (src/thread/job-thread.ts).
 */
export class ZstdThread {
  private readonly thread: JobThread<Decoded>;
  /** Bodies decoded on the thread since start (a test reads it: the work was not done on the main thread). */
  decoded = 0;

  constructor(idleMs = IDLE_MS) {
    this.thread = new JobThread<Decoded>(
      () => {
        const fzstd = createRequire(import.meta.url).resolve("fzstd");
        return new Worker(PROGRAM, { eval: true, workerData: { fzstd } });
      },
      "the zstd thread",
      idleMs,
    );
  }

  /** Decodes `input`, producing at most `budget` bytes. */
  async decode(input: Buffer, budget: number): Promise<ZstdResult> {
    if (this.thread.size >= ZSTD_QUEUE_MAX) return { busy: true };
    const m = await this.thread.run((worker, id) => {
      // A copy the thread owns: the request's buffer may be a slice of a larger one.
      const copy = new Uint8Array(input);
      worker.postMessage({ id, input: copy, budget }, [copy.buffer]);
    });
    if (m instanceof Error) return { error: m.message };
    this.decoded++;
    if (m.out) return { out: Buffer.from(m.out.buffer, m.out.byteOffset, m.out.byteLength) };
    if (m.over) return { over: true };
    return { error: m.error ?? "the zstd thread failed" };
  }
}
