import { Worker } from "node:worker_threads";
import { describe, expect, it, vi } from "vitest";
import { JobThread } from "../../src/thread/job-thread.js";

/** Echoes a job's value; `hold` is never answered, `die` ends the thread (exit code 3). */
const PROGRAM = `
const { parentPort } = require("node:worker_threads");
parentPort.on("message", (m) => {
  if (m.close) return parentPort.close();
  if (m.die) process.exit(3);
  if (m.hold) return;
  parentPort.postMessage({ id: m.id, echo: m.value });
});
`;

interface Echo {
  readonly id: number;
  readonly echo?: string;
}

function thread(idleMs = 20): { thread: JobThread<Echo>; spawned: () => number } {
  let spawned = 0;
  const t = new JobThread<Echo>(
    () => {
      spawned++;
      return new Worker(PROGRAM, { eval: true });
    },
    "the test thread",
    idleMs,
  );
  return { thread: t, spawned: () => spawned };
}

const send =
  (job: object) =>
  (worker: Worker, id: number): void =>
    worker.postMessage({ id, ...job });

describe("JobThread", () => {
  it("starts on the first job, answers it by its id, retires when idle and starts again for the next", async () => {
    const { thread: t, spawned } = thread();
    expect(t.running).toBe(false);
    const [a, b] = await Promise.all([t.run(send({ value: "a" })), t.run(send({ value: "b" }))]);
    expect(a).toEqual({ id: 1, echo: "a" });
    expect(b).toEqual({ id: 2, echo: "b" });
    expect(spawned()).toBe(1);
    await vi.waitFor(() => expect(t.running).toBe(false), { timeout: 10_000, interval: 10 });
    expect(await t.run(send({ value: "c" }))).toEqual({ id: 3, echo: "c" });
    expect(spawned()).toBe(2);
    await t.close();
  });

  it("answers the jobs of a thread that died with its Error, and starts another for the next job", async () => {
    const { thread: t, spawned } = thread(60_000);
    const held = t.run(send({ hold: true }));
    expect(t.size).toBe(1);
    const died = t.run(send({ die: true }));
    const [h, d] = await Promise.all([held, died]);
    expect(h).toBeInstanceOf(Error);
    expect((h as Error).message).toBe("the test thread exited (3)");
    expect(d).toBe(h);
    expect(t.size).toBe(0);
    expect(t.running).toBe(false);
    expect(await t.run(send({ value: "again" }))).toEqual({ id: 3, echo: "again" });
    expect(spawned()).toBe(2);
    await t.close();
  });

  it("closes after what is on its way settled, and waits for the thread to exit", async () => {
    const { thread: t } = thread(60_000);
    let worker: Worker | undefined;
    const job = t.run((w, id) => {
      worker = w;
      w.postMessage({ id, value: "last" });
    });
    const order: string[] = [];
    await t.close(async () => {
      order.push(`drained ${JSON.stringify(await job)}`);
    });
    order.push("closed");
    expect(order).toEqual([`drained ${JSON.stringify({ id: 1, echo: "last" })}`, "closed"]);
    expect(t.running).toBe(false);
    expect(worker?.threadId).toBe(-1);
  });
});
