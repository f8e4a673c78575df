#!/usr/bin/env node
import { readFileSync } from "node:fs";
import { ConfigError } from "../config/load.js";
import { COMMANDS } from "./commands.js";
import { dispatch } from "./dispatch.js";

function version(): string {
  const pkg = JSON.parse(readFileSync(new URL("../../package.json", import.meta.url), "utf8")) as { version: string };
  return pkg.version;
}

const io = { out: (s: string) => console.log(s), err: (s: string) => console.error(s) };

dispatch(process.argv.slice(2), COMMANDS, process.env, io, version()).then(
  (result) => {
    if (typeof result === "object") {
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
    } else process.exitCode = result ?? 0;
  },
  (err: unknown) => {
    if (err instanceof ConfigError) console.error(err.message);
    else console.error(`llmux: ${err instanceof Error ? err.message : String(err)}`);
    process.exit(1);
  },
);
