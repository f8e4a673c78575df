/**
 * The bench's CPU reading (bench/procs.ts cpuMs): every thread's time on a CPU, read from the scheduler's own
 * count, agrees with the kernel's other account of the same process (getrusage, through process.cpuUsage() in
 * the child itself), keeps the time of a thread that has ended, and tells an unknown process.
 */
import { type ChildProcess, spawn } from "node:child_process";
import { once } from "node:events";
import { afterEach, describe, expect, it } from "vitest";
import { cpuMs } from "../../bench/procs.js";

// The child burns CPU in its main thread and in a worker, reports its own rusage, and waits for a line on stdin:
// "end" ends the worker (the process lives on), "exit" ends the process.
const CHILD = `
const { Worker } = require("node:worker_threads");
const burn = (ms) => { const t = process.cpuUsage(); while ((process.cpuUsage(t).user + process.cpuUsage(t).system) < ms * 1000); };
const w = new Worker("const { parentPort } = require('node:worker_threads'); const t = Date.now(); while (Date.now() - t < 40); parentPort.postMessage('burnt'); parentPort.on('message', () => process.exit(0));", { eval: true });
w.once("message", () => {
  burn(30);
  const u = process.cpuUsage();
  process.stdout.write(JSON.stringify({ ms: (u.user + u.system) / 1000 }) + "\\n");
});
w.once("exit", () => process.stdout.write("ended\\n"));
process.stdin.on("data", (d) => { if (String(d).includes("end")) w.postMessage("end"); if (String(d).includes("exit")) process.exit(0); });
`;

let child: ChildProcess | undefined;
afterEach(() => {
  child?.kill();
  child = undefined;
});

async function line(c: ChildProcess): Promise<string> {
  const [chunk] = (await once(c.stdout!, "data")) as [Buffer];
  return chunk.toString().trim();
}

describe("cpuMs", () => {
  it("sums every thread's time on a CPU, as the process's own rusage does, finer than a clock tick", async () => {
    child = spawn(process.execPath, ["-e", CHILD], { stdio: ["pipe", "pipe", "inherit"] });
    const reported = JSON.parse(await line(child)) as { ms: number };
    const read = cpuMs(child.pid!)!;
    // Both count the main thread's 30 ms, the worker's 40 ms and Node's start; the reading comes a moment later.
    expect(reported.ms).toBeGreaterThan(70);
    expect(read).toBeGreaterThanOrEqual(reported.ms - 2);
    expect(read).toBeLessThan(reported.ms + 30);

    // The worker ends: its time stays counted.
    child.stdin!.write("end\n");
    expect(await line(child)).toBe("ended");
    const after = cpuMs(child.pid!)!;
    expect(after).toBeGreaterThanOrEqual(read);
    child.stdin!.write("exit\n");
    await once(child, "exit");
  });

  it("answers undefined for a process that is not there", () => {
    expect(cpuMs(2 ** 22 + 12_345)).toBeUndefined();
  });
});
