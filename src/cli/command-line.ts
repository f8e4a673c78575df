/**
 * The command line: loads the command it names and runs it (main.ts loads this module once the young
 * generation is held).
 */
import { readFileSync } from "node:fs";
import { ConfigError } from "../config/config-error.js";
import type { Command } from "./command.js";
import { loadCommand } from "./command-index.js";
import { releaseCompilers, releaseCompilersWhenBusy } from "./compiler-hold.js";
import { dispatch } from "./dispatch.js";
import { DEFAULT_COMMAND } from "./help.js";
import { collectWhenIdle } from "./idle-collect.js";
import { releaseOnFirstConnection, releaseYoungGeneration } from "./young-generation.js";

function version(): string {
  const pkg = JSON.parse(readFileSync(new URL("../../package.json", import.meta.url), "utf8")) as { version: string };
  return pkg.version;
}

const io = { out: (s: string) => console.log(s), err: (s: string) => console.error(s) };

/** What a first argument starting with `-` asks of the whole command list rather than of the default command. */
const WHOLE_LIST = new Set(["--help", "-h", "--version", "-v"]);

/**
 * The commands this command line may run: a command line naming a command loads that command alone (`llmux
 * start`, and a bare `llmux` or `llmux --port N`, which start, load the start command: the other commands'
 * modules, ~1.2 MB of heap, stay out of the gateway's memory); `help`, `--help`, `--version` and a name that is
 * no command load them all, for the command list and its suggestions.
 */
async function commandsFor(argv: readonly string[]): Promise<readonly Command[]> {
  const first = argv[0];
  const starts = first === undefined || first === DEFAULT_COMMAND || (first.startsWith("-") && !WHOLE_LIST.has(first));
  const one = loadCommand(starts ? DEFAULT_COMMAND : (first ?? ""));
  return one ? [await one] : (await import("./commands.js")).COMMANDS;
}

const argv = process.argv.slice(2);
dispatch(argv, await commandsFor(argv), process.env, io, version()).then(
  (result) => {
    if (typeof result === "object") {
      releaseOnFirstConnection();
      // The optimizing compilers once it is busy (compiler-hold.ts says why).
      releaseCompilersWhenBusy();
      // What a burst of load left behind is collected once the gateway falls idle (idle-collect.ts says why).
      collectWhenIdle();
      // The first signal stops gracefully (open streams may finish); a second one closes at once.
      let signalled = false;
      const stop = () => {
        const graceful = !signalled;
        signalled = true;
        const done = graceful && result.shutdown ? result.shutdown() : result.close();
        done.finally(() => process.exit(0));
      };
      process.on("SIGINT", stop);
      process.on("SIGTERM", stop);
    } else {
      releaseYoungGeneration();
      releaseCompilers();
      process.exitCode = result ?? 0;
    }
  },
  (err: unknown) => {
    releaseYoungGeneration();
    releaseCompilers();
    if (err instanceof ConfigError) console.error(err.message);
    else console.error(`llmux: ${err instanceof Error ? err.message : String(err)}`);
    process.exit(1);
  },
);
