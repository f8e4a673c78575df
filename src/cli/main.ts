#!/usr/bin/env node
import { readFileSync } from "node:fs";
import { z } from "zod";
import { ConfigError } from "../config/load.js";
import { ConfigSchema } from "../config/schema.js";
import { parseArgs } from "./args.js";
import { mock } from "./mock.js";
import { start } from "./start.js";

const HELP = `llmux — one gateway between every coding tool and every model

Usage:
  llmux start [--config FILE] [--port N] [--host H]   start the gateway (default command)  llmux mock  [--port N] [--host H] [--latency MS] [--chunk-delay MS] [--strict]
                                                      run the scripted mock upstream
  llmux schema                                        print the config JSON Schema (for editors)
  llmux --version | --help

Without --config, llmux reads $LLMUX_CONFIG or ./llmux.yaml; without a file it configures itself from
provider environment variables (AZURE_*, ANTHROPIC_API_KEY, KIMI_API_KEY…) or serves its built-in mock model.
PORT sets the port when --port is not given. Docs: docs/config.md.`;

function version(): string {
  const pkg = JSON.parse(readFileSync(new URL("../../package.json", import.meta.url), "utf8")) as { version: string };
  return pkg.version;
}

async function main(): Promise<void> {
  const args = parseArgs(process.argv.slice(2));
  if (args.flags.has("help")) {
    console.log(HELP);
    return;
  }
  if (args.flags.has("version")) {
    console.log(version());
    return;
  }
  switch (args.command) {
    case "start": {
      const gateway = await start(args);
      const stop = () => {
        gateway.close().finally(() => process.exit(0));
      };
      process.once("SIGINT", stop);
      process.once("SIGTERM", stop);
      return;
    }
    case "mock": {
      const server = await mock(args);
      const stop = () => {
        server.close().finally(() => process.exit(0));
      };
      process.once("SIGINT", stop);
      process.once("SIGTERM", stop);
      return;
    }
    case "schema":
      console.log(JSON.stringify(z.toJSONSchema(ConfigSchema, { io: "input" }), null, 2));
      return;
    default:
      console.error(`unknown command '${args.command}'\n\n${HELP}`);
      process.exitCode = 2;
  }
}

main().catch((err: unknown) => {
  if (err instanceof ConfigError) console.error(err.message);
  else console.error(err instanceof Error ? err.message : err);
  process.exit(1);
});
