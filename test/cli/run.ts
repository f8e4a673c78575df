import { execFile } from "node:child_process";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

import { BIN, ROOT } from "../support/built.js";

export { BIN, ROOT };

export interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

/** An empty working directory (no llmux.yaml) for a run. */
export function emptyDir(): string {
  return mkdtempSync(join(tmpdir(), "llmux-cli-"));
}

/**
 * Runs the built `llmux` command (dist/bundle/llmux.js, what the package's bin points at) with only PATH and HOME
 * from this environment plus `env`, in an empty directory unless `cwd` is given; waits for it to exit.
 */
export function llmux(args: string[], env: Record<string, string> = {}, cwd = emptyDir()): Promise<Run> {
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      [BIN, ...args],
      // A safety net for a command that never exits, not a wait: the run ends when the command does (a loaded
      // machine can take several seconds to start one).
      { cwd, env: { PATH: process.env.PATH ?? "", HOME: process.env.HOME ?? "", ...env }, timeout: 60_000 },
      (err, stdout, stderr) => {
        const code = err ? (typeof err.code === "number" ? err.code : -1) : 0;
        resolve({ code, stdout, stderr });
      },
    );
  });
}
