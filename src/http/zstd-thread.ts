import { createRequire } from "node:module";
import { Worker } from "node:worker_threads";

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

interface Job {
  resolve(r: ZstdResult): void;
}

/**
 * zstd decoded in JavaScript (fzstd) on a thread of its own, for a Node without zstd in zlib (before 22.15):
 * decoding a body takes tens to hundreds of milliseconds of CPU, which on the main thread stalled every other
 * request (`zstd` ×1000 layers: a minute). Bodies are decoded one at a time, at most `ZSTD_QUEUE_MAX` waiting.
 * The thread starts with the first body, holds the process open only while one is on its way, stops after a
 * while without any, and is started again if it dies (the bodies it had are refused as undecodable).
 */
export class ZstdThread {
  private worker: Worker | undefined;
  private readonly jobs = new Map<number, Job>();
  private seq = 0;
  private idle: NodeJS.Timeout | undefined;
  /** Bodies decoded on the thread since start (a test reads it: the work was not done on the main thread). */
  decoded = 0;

  constructor(private readonly idleMs = IDLE_MS) {}

  /** Decodes `input`, producing at most `budget` bytes. */
  decode(input: Buffer, budget: number): Promise<ZstdResult> {
    if (this.jobs.size >= ZSTD_QUEUE_MAX) return Promise.resolve({ busy: true });
    clearTimeout(this.idle);
    const worker = this.start();
    const id = ++this.seq;
    return new Promise<ZstdResult>((resolve) => {
      if (this.jobs.size === 0) worker.ref();
      this.jobs.set(id, { resolve });
      // A copy the thread owns: the request's buffer may be a slice of a larger one.
      const copy = new Uint8Array(input);
      worker.postMessage({ id, input: copy, budget }, [copy.buffer]);
    });
  }

  private start(): Worker {
    if (this.worker) return this.worker;
    const fzstd = createRequire(import.meta.url).resolve("fzstd");
    const worker = new Worker(PROGRAM, { eval: true, workerData: { fzstd } });
    worker.unref();
    worker.on("message", (m: { id: number; out?: Uint8Array; over?: boolean; error?: string }) => {
      const job = this.jobs.get(m.id);
      if (!job) return;
      this.jobs.delete(m.id);
      if (this.jobs.size === 0) {
        worker.unref();
        this.retireLater();
      }
      this.decoded++;
      if (m.out) job.resolve({ out: Buffer.from(m.out.buffer, m.out.byteOffset, m.out.byteLength) });
      else if (m.over) job.resolve({ over: true });
      else job.resolve({ error: m.error ?? "the zstd thread failed" });
    });
    const gone = (err: Error) => {
      if (this.worker !== worker) return;
      this.worker = undefined;
      for (const job of this.jobs.values()) job.resolve({ error: err.message });
      this.jobs.clear();
    };
    worker.on("error", gone);
    worker.on("exit", (code) => gone(new Error(`the zstd thread exited (${code})`)));
    this.worker = worker;
    return worker;
  }

  private retireLater(): void {
    clearTimeout(this.idle);
    this.idle = setTimeout(() => {
      const worker = this.worker;
      if (!worker || this.jobs.size > 0) return;
      this.worker = undefined;
      worker.postMessage({ close: true });
    }, this.idleMs);
    this.idle.unref();
  }
}
