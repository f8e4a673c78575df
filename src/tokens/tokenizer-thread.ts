import { createRequire } from "node:module";
import { Worker } from "node:worker_threads";

/** The tokenizer (o200k) as a CommonJS module path, for the thread to load. */
const MODULE = createRequire(import.meta.url).resolve("gpt-tokenizer/encoding/o200k_base");

/** The thread's code: it loads the tokenizer on its first message and answers each with the pieces' tokens. */
const SOURCE = `
const { parentPort, workerData } = require("node:worker_threads");
let count;
parentPort.on("message", (msg) => {
  try {
    count ??= require(workerData.module).countTokens;
    let tokens = 0;
    for (const piece of msg.pieces) tokens += count(piece);
    parentPort.postMessage({ id: msg.id, tokens });
  } catch (err) {
    parentPort.postMessage({ id: msg.id, error: String((err && err.message) || err) });
  }
});
`;

interface Waiting {
  worker: Worker;
  resolve(tokens: number): void;
  reject(err: Error): void;
}

/**
 * A thread of its own for the tokenizer: loading it (about a second of parsing) and counting a large request
 * happen there, so no count holds up the requests the event loop is serving. Started on the first count (the
 * tokenizer's memory is only paid by those who count), kept for the next ones, and never keeping the process
 * alive by itself. A thread that fails or exits fails what it was counting; the next count starts a new one.
 */
export class TokenizerThread {
  private worker: Worker | undefined;
  private next = 0;
  private readonly waiting = new Map<number, Waiting>();

  /** The total tokens of `pieces` (each tokenized on its own). */
  count(pieces: readonly string[]): Promise<number> {
    const worker = this.start();
    const id = this.next++;
    return new Promise<number>((resolve, reject) => {
      this.waiting.set(id, { worker, resolve, reject });
      worker.ref();
      worker.postMessage({ id, pieces });
    });
  }

  /** Stops the thread (what it was counting fails). */
  async close(): Promise<void> {
    const worker = this.worker;
    this.worker = undefined;
    if (worker) await worker.terminate();
  }

  private start(): Worker {
    if (this.worker) return this.worker;
    const worker = new Worker(SOURCE, { eval: true, workerData: { module: MODULE } });
    worker.unref();
    worker.on("message", (msg: { id: number; tokens?: number; error?: string }) => {
      const w = this.waiting.get(msg.id);
      if (!w) return;
      this.settled(msg.id);
      if (msg.error !== undefined) w.reject(new Error(msg.error));
      else w.resolve(msg.tokens ?? 0);
    });
    const fail = (err: Error) => {
      if (this.worker === worker) this.worker = undefined;
      for (const [id, w] of this.waiting) {
        if (w.worker !== worker) continue;
        this.waiting.delete(id);
        w.reject(err);
      }
    };
    worker.on("error", fail);
    worker.on("exit", (code) => fail(new Error(`the tokenizer thread exited (${code})`)));
    this.worker = worker;
    return worker;
  }

  private settled(id: number): void {
    this.waiting.delete(id);
    if (this.waiting.size === 0) this.worker?.unref();
  }
}
