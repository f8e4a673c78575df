import type { Worker } from "node:worker_threads";

/** What a thread answers a job with: the job's id and what it says (a thread that dies answers an Error). */
export interface JobAnswer {
  readonly id: number;
}

/**
 * One worker thread that does jobs for the main thread (the SQLite writer, the zstd decoder): started with
 * the first job, holding the process open only while a job is on its way, stopped after `idleMs` without any
 * (sent `{close: true}`; the next job starts another), and started again if it dies — the jobs it had are
 * answered with the Error it died of. Each job is sent with an id of its own and answered by the thread's
 * message carrying that id.
 */
export class JobThread<A extends JobAnswer> {
  private worker: Worker | undefined;
  private readonly waiting = new Map<number, (answer: A | Error) => void>();
  private seq = 0;
  private idle: NodeJS.Timeout | undefined;
  private closing = false;

  /**
   * @param spawn starts the thread (its program answers each job's message with one `A`, and closes on
   *   `{close: true}`)
   * @param what how the Error of a thread that exited names it ("the zstd thread")
   */
  constructor(
    private readonly spawn: () => Worker,
    private readonly what: string,
    private readonly idleMs: number,
  ) {}

  /** Whether the thread is there now. */
  get running(): boolean {
    return this.worker !== undefined;
  }

  /** Jobs sent and not answered yet. */
  get size(): number {
    return this.waiting.size;
  }

  /** Whether the job `id` still waits on `worker` (false: the thread died meanwhile and answered it). */
  waits(worker: Worker, id: number): boolean {
    return this.worker === worker && this.waiting.has(id);
  }

  /** Sends a job: `send` posts it to the thread under `id`; resolves with the thread's answer or its Error. */
  run(send: (worker: Worker, id: number) => void): Promise<A | Error> {
    clearTimeout(this.idle);
    const worker = this.start();
    const id = ++this.seq;
    const answered = new Promise<A | Error>((resolve) => {
      if (this.waiting.size === 0) worker.ref();
      this.waiting.set(id, resolve);
    });
    send(worker, id);
    return answered;
  }

  /** After `drain` (the jobs on their way settling), closes the thread and waits for it to exit. */
  async close(drain: () => Promise<unknown> = async () => {}): Promise<void> {
    this.closing = true;
    clearTimeout(this.idle);
    const worker = this.worker;
    if (!worker) return;
    await drain();
    if (this.worker !== worker) return;
    this.worker = undefined;
    const exited = new Promise<void>((done) => worker.once("exit", () => done()));
    worker.ref();
    worker.postMessage({ close: true });
    await exited;
  }

  private start(): Worker {
    if (this.worker) return this.worker;
    const worker = this.spawn();
    worker.unref();
    worker.on("message", (answer: A) => {
      const resolve = this.waiting.get(answer.id);
      if (!resolve) return;
      this.waiting.delete(answer.id);
      if (this.waiting.size === 0) {
        worker.unref();
        this.retireLater();
      }
      resolve(answer);
    });
    const gone = (err: Error) => {
      if (this.worker !== worker) return;
      this.worker = undefined;
      for (const resolve of this.waiting.values()) resolve(err);
      this.waiting.clear();
    };
    worker.on("error", gone);
    worker.on("exit", (code) => gone(new Error(`${this.what} exited (${code})`)));
    this.worker = worker;
    return worker;
  }

  private retireLater(): void {
    clearTimeout(this.idle);
    if (this.closing) return;
    this.idle = setTimeout(() => {
      const worker = this.worker;
      if (!worker || this.waiting.size > 0) return;
      this.worker = undefined;
      worker.postMessage({ close: true });
    }, this.idleMs);
    this.idle.unref();
  }
}
