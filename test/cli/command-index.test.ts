/**
 * The command index (src/cli/command-index.ts) is the one list of commands: each entry loads the command of
 * its own name, COMMANDS is every entry loaded in the index's order, and a name that is no command (help, a
 * misspelling, an option) loads nothing by itself, so the whole list answers it with its suggestions.
 */
import { describe, expect, it } from "vitest";
import { COMMAND_MODULES, loadCommand } from "../../src/cli/command-index.js";
import { COMMANDS } from "../../src/cli/commands.js";

describe("the command index", () => {
  it("loads, for each name, the command of that name", async () => {
    for (const [name, load] of Object.entries(COMMAND_MODULES)) expect((await load()).name, name).toBe(name);
  });

  it("is COMMANDS, in the same order, the same objects", async () => {
    expect(COMMANDS.map((c) => c.name)).toEqual(Object.keys(COMMAND_MODULES));
    for (const c of COMMANDS) expect(await loadCommand(c.name)).toBe(c);
  });

  it("loads nothing for help, an option, a misspelt name or an inherited property name", () => {
    for (const word of ["help", "--help", "-v", "strat", "toString", "constructor", "__proto__"])
      expect(loadCommand(word), word).toBeUndefined();
  });
});
