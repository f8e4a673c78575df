/**
 * Instruction counts of a server process under valgrind's callgrind (`npm run bench -- --instructions-only`):
 * how a server is started under it, its counters zeroed and dumped through `callgrind_control`, and the total of a
 * dump read back. The same binary given the same requests executes about the same number of instructions however
 * loaded the machine is, unlike CPU seconds.
 */
import { execFile } from "node:child_process";
import { existsSync, readFileSync } from "node:fs";
import { promisify } from "node:util";

const run = promisify(execFile);

/**
 * valgrind's arguments in front of `node ARGS`: callgrind, JIT code checked for self-modification, dumps to
 * `outFile`.N, and instrumentation off from the start (the server starts ~5× faster; `instrument(true)` turns it on).
 */
export function callgrindArgs(outFile: string): string[] {
  return [
    "--tool=callgrind",
    "--smc-check=all-non-file",
    `--callgrind-out-file=${outFile}`,
    "--instr-atstart=no",
    "--dump-instr=no",
    "--compress-strings=no",
  ];
}

/** Whether valgrind and callgrind_control can be run here. */
export async function callgrindAvailable(): Promise<string | undefined> {
  for (const tool of ["valgrind", "callgrind_control"]) {
    try {
      await run(tool, ["--version"]);
    } catch (err) {
      return `${tool} cannot be run (${(err as Error).message.split("\n")[0]})`;
    }
  }
  return undefined;
}

/**
 * The total of one callgrind dump: its `totals:` line (the sum of every cost in the file), else its `summary:`
 * line; the first event (Ir, instructions executed) when several are counted. undefined when neither is there
 * (a dump cut short).
 */
export function callgrindTotal(text: string): number | undefined {
  let summary: number | undefined;
  for (const line of text.split("\n")) {
    const m = /^(totals|summary):\s*(\d+)/.exec(line);
    if (!m) continue;
    if (m[1] === "totals") return Number(m[2]);
    summary ??= Number(m[2]);
  }
  return summary;
}

/** One process running under callgrind, controlled through callgrind_control (valgrind's gdbserver). */
export class CallgrindProcess {
  private dumps = 0;

  constructor(
    readonly pid: number,
    private readonly outFile: string,
  ) {}

  private async control(args: string[]): Promise<void> {
    const { stdout } = await run("callgrind_control", [...args, String(this.pid)], { timeout: 120_000 });
    if (!/OK/.test(stdout)) throw new Error(`callgrind_control ${args.join(" ")} ${this.pid}: ${stdout.trim()}`);
  }

  /** Instrumentation on (counting) or off (running ~5× faster, counting nothing). */
  instrument(on: boolean): Promise<void> {
    return this.control([`--instr=${on ? "on" : "off"}`]);
  }

  /** Counters back to zero. */
  zero(): Promise<void> {
    return this.control(["--zero"]);
  }

  /** Dumps the counters (which zeroes them) and returns the instructions counted since the last zero or dump. */
  async dump(): Promise<number> {
    await this.control(["--dump"]);
    const file = `${this.outFile}.${++this.dumps}`;
    // The dump is written by the valgrind process itself: wait until it is complete.
    for (let i = 0; i < 600; i++) {
      if (existsSync(file)) {
        const total = callgrindTotal(readFileSync(file, "utf8"));
        if (total !== undefined) return total;
      }
      await new Promise((r) => setTimeout(r, 100));
    }
    throw new Error(`callgrind dump ${file} did not appear`);
  }
}
