/**
 * Runs a coding tool in the user's terminal: its own stdin, stdout and stderr (the TTY, when there is one),
 * arguments passed as given, and its exit status (or the signal that ended it) handed back.
 */
import { spawn } from "node:child_process";
import { accessSync, constants as fsConstants, statSync } from "node:fs";
import { constants } from "node:os";
import { delimiter, isAbsolute, join, resolve } from "node:path";

/** An executable file at `path`. */
function executable(path: string): boolean {
  try {
    if (!statSync(path).isFile()) return false;
    accessSync(path, fsConstants.X_OK);
    return true;
  } catch {
    return false;
  }
}

/** `name` looked up on PATH as a shell would (and with PATHEXT on Windows); undefined when absent. */
export function findOnPath(name: string, env: NodeJS.ProcessEnv): string | undefined {
  if (name.includes("/") || (process.platform === "win32" && name.includes("\\"))) {
    const p = resolve(name);
    return executable(p) ? p : undefined;
  }
  const exts = process.platform === "win32" ? ["", ...(env.PATHEXT ?? ".EXE;.CMD;.BAT").split(";")] : [""];
  for (const dir of (env.PATH ?? "").split(delimiter)) {
    if (!dir) continue;
    for (const ext of exts) {
      const p = join(dir, name + ext);
      if (executable(p)) return isAbsolute(p) ? p : resolve(p);
    }
  }
  return undefined;
}

/** Signals llmux passes on to the tool. SIGINT from a terminal already reaches the whole foreground group. */
const FORWARDED: readonly NodeJS.Signals[] = ["SIGTERM", "SIGHUP", "SIGINT", "SIGQUIT"];

/**
 * Spawns `bin args` with inherited stdio and resolves with its exit status. A signal sent to llmux is passed
 * on (SIGINT only when stdin is not a terminal: a terminal's Ctrl-C reaches the tool by itself); when the
 * tool dies of a signal, llmux ends itself with the same signal, so a caller sees what the tool did.
 */
export function runTool(
  bin: string,
  args: readonly string[],
  env: NodeJS.ProcessEnv,
  /** Runs once the tool has ended, before llmux passes its status or signal on. */
  cleanup: () => void = () => undefined,
): Promise<number> {
  return new Promise((resolvePromise, reject) => {
    const shell = process.platform === "win32" && /\.(cmd|bat)$/i.test(bin);
    const child = spawn(bin, args, { stdio: "inherit", env, shell });
    const handlers = new Map<NodeJS.Signals, () => void>();
    for (const sig of FORWARDED) {
      const h = () => {
        if (sig === "SIGINT" && process.stdin.isTTY) return;
        child.kill(sig);
      };
      handlers.set(sig, h);
      process.on(sig, h);
    }
    const release = () => {
      for (const [sig, h] of handlers) process.off(sig, h);
    };
    child.once("error", (err) => {
      release();
      cleanup();
      reject(err);
    });
    child.once("exit", (code, signal) => {
      release();
      cleanup();
      if (signal) {
        // The same end as the tool's: the default action of that signal, now that no handler holds it.
        process.kill(process.pid, signal);
        // Should the signal not end llmux (ignored by the environment), the shell convention.
        setTimeout(() => resolvePromise(128 + (signalNumber(signal) ?? 0)), 200);
        return;
      }
      resolvePromise(code ?? 1);
    });
  });
}

function signalNumber(signal: NodeJS.Signals): number | undefined {
  return (constants.signals as Partial<Record<NodeJS.Signals, number>>)[signal];
}
