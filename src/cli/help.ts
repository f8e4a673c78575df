/** Help text, rendered from the commands' own declarations. */
import type { Command, OptionSpec } from "./command.js";
import { optionsOf } from "./parse.js";

export const TAGLINE = "one gateway between every coding tool and every model";
export const DEFAULT_COMMAND = "start";

function table(rows: [string, string][], indent = "  "): string {
  const width = Math.max(...rows.map(([a]) => a.length));
  return rows.map(([a, b]) => `${indent}${a.padEnd(width)}   ${b}`.trimEnd()).join("\n");
}

function optionRows(options: Record<string, OptionSpec>): [string, string][] {
  return Object.entries(options).map(([name, o]) => [
    `${o.short ? `-${o.short}, ` : "    "}--${name}${o.type === "string" ? ` ${o.value ?? "VALUE"}` : ""}`,
    o.description + (o.multiple ? " (repeatable)" : ""),
  ]);
}

/** `llmux help` and `llmux --help`. */
export function generalHelp(commands: readonly Command[], version: string): string {
  const rows: [string, string][] = commands.map((c) => [
    c.name,
    c.name === DEFAULT_COMMAND ? `${c.summary.replace(/\.$/, "")} (the default command).` : c.summary,
  ]);
  rows.push(["help [COMMAND]", "Show help for llmux or for one command."]);
  return [
    `llmux ${version} — ${TAGLINE}`,
    "",
    "Usage: llmux [COMMAND] [OPTIONS]",
    "",
    "Commands:",
    table(rows),
    "",
    "Options:",
    table([
      ["-h, --help", "Show this help."],
      ["-v, --version", "Print llmux's version."],
    ]),
    "",
    `Without a command, llmux runs '${DEFAULT_COMMAND}' with the options given.`,
    "Run 'llmux help COMMAND' (or 'llmux COMMAND --help') for a command's options.",
    "Configuration: docs/config.md.",
  ].join("\n");
}

/** `llmux help start`, `llmux start --help`. */
export function commandHelp(cmd: Command, path: string): string {
  const args = (cmd.arguments ?? [])
    .map((a) => {
      const n = `${a.name.toUpperCase()}${a.variadic ? "…" : ""}`;
      return a.optional ? `[${n}]` : n;
    })
    .join(" ");
  const usage = cmd.subcommands?.length
    ? `llmux ${path} COMMAND [OPTIONS]`
    : `llmux ${path}${cmd.options && Object.keys(cmd.options).length ? " [OPTIONS]" : ""}${args ? ` ${args}` : ""}`;
  const parts = [`Usage: ${usage}`, "", cmd.summary];
  if (cmd.description) parts.push("", cmd.description);
  if (cmd.subcommands?.length) {
    parts.push("", "Commands:", table(cmd.subcommands.map((c) => [c.name, c.summary])));
  }
  if (cmd.arguments?.length) {
    parts.push("", "Arguments:", table(cmd.arguments.map((a) => [a.name.toUpperCase(), a.description])));
  }
  parts.push("", "Options:", table(optionRows(optionsOf(cmd))));
  if (cmd.examples?.length) parts.push("", "Examples:", ...cmd.examples.map((e) => `  ${e}`));
  return parts.join("\n");
}
