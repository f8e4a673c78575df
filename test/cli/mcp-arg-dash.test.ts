/**
 * `llmux mcp add … --arg -y …`, as docs/mcp.md and `llmux help mcp add` show it: an argument of the program
 * that starts with a dash is the value of --arg, not an option of llmux ("--arg needs a value" before).
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import type { Command } from "../../src/cli/command.js";
import { mcpCommand } from "../../src/cli/mcp.js";
import { parseCommandLine } from "../../src/cli/parse.js";

const add = mcpCommand.subcommands!.find((c) => c.name === "add") as Command;
const update = mcpCommand.subcommands!.find((c) => c.name === "update") as Command;

/** The words of one sh command line (single and double quotes removed; continuation lines joined). */
function words(line: string): string[] {
  return [...line.matchAll(/'([^']*)'|"([^"]*)"|(\S+)/g)].map((m) => m[1] ?? m[2] ?? m[3]!);
}

describe("--arg takes a value that starts with a dash", () => {
  it("the documented line of docs/mcp.md parses, -y kept in order among the arguments", () => {
    const doc = readFileSync(join(import.meta.dirname, "../../docs/mcp.md"), "utf8").replace(/\\\n\s*/g, "");
    const line = doc.split("\n").find((l) => l.startsWith("llmux mcp add github"));
    expect(line).toBeDefined();
    const input = parseCommandLine(add, "mcp add", words(line!).slice(3), {});
    expect(input.args).toEqual(["github"]);
    expect(input.values.arg).toEqual(["-y", "@modelcontextprotocol/server-github"]);
  });

  it("the examples of `llmux help mcp add` parse", () => {
    for (const example of add.examples ?? []) {
      expect(() => parseCommandLine(add, "mcp add", words(example).slice(3), {}), example).not.toThrow();
    }
  });

  it("a dashed value of --arg, also --arg=VALUE and on update; an option with no dashValue still refuses one", () => {
    const a = parseCommandLine(add, "mcp add", ["s", "--command", "npx", "--arg", "-y", "--arg=--stdio"], {});
    expect(a.values.arg).toEqual(["-y", "--stdio"]);
    expect(a.args).toEqual(["s"]);
    const u = parseCommandLine(update, "mcp update", ["s", "--arg", "--port", "--arg", "8"], {});
    expect(u.values.arg).toEqual(["--port", "8"]);
    expect(() => parseCommandLine(add, "mcp add", ["s", "--command", "-y"], {})).toThrow(/--command needs a value/);
  });
});
