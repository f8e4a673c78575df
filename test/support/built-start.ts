/**
 * The built `llmux start` on its embedded defaults (no configuration, no provider variables, the built-in mock),
 * in a home, state directory and working directory of its own, with node options before the command: for the
 * tests that read what V8 or the process does as shipped (its heap, its collections, its compilers).
 */
import { type ChildProcess, spawn } from "node:child_process";
import { mkdirSync } from "node:fs";
import { join } from "node:path";
import { BIN } from "./built.js";

export interface BuiltStart {
  readonly child: ChildProcess;
  /** Everything it wrote so far, stdout and stderr together. */
  output(): string;
  /** Where it listens (`http://127.0.0.1:PORT`). */
  readonly origin: string;
}

/** Starts it under `dir` (its home, state and working directories are made there) and waits until it listens. */
export async function startBuilt(dir: string, nodeOptions: readonly string[] = []): Promise<BuiltStart> {
  for (const d of ["home", "state", "cwd"]) mkdirSync(join(dir, d), { recursive: true });
  const env: NodeJS.ProcessEnv = { ...process.env, HOME: join(dir, "home"), LLMUX_STATE_DIR: join(dir, "state") };
  for (const k of Object.keys(env))
    if (/^(LLMUX_CONFIG|PORT|NODE_OPTIONS)$|_API_KEY$|^AZURE_|^AWS_|^GOOGLE_/.test(k)) delete env[k];
  const child = spawn(process.execPath, [...nodeOptions, BIN, "start", "--port", "0"], {
    cwd: join(dir, "cwd"),
    env,
    stdio: ["ignore", "pipe", "pipe"],
  });
  let output = "";
  const origin = await new Promise<string>((resolve, reject) => {
    const seen = (b: Buffer) => {
      output += b;
      const m = /llmux listening on (http:\/\/[\d.:]+)/.exec(output);
      if (m) resolve(m[1]!);
    };
    child.stdout!.on("data", seen);
    child.stderr!.on("data", seen);
    child.once("exit", (code) => reject(new Error(`llmux exited (${code}) before listening:\n${output}`)));
  });
  return { child, output: () => output, origin };
}
