/**
 * The dispatcher with commands declared the way later ones will be (a command with subcommands, repeatable
 * options, arguments): parsing, help and mistakes come from the declarations alone.
 */
import { describe, expect, it } from "vitest";
import type { Command, CommandInput } from "../../src/cli/command.js";
import { dispatch } from "../../src/cli/dispatch.js";
import { optFlag, optString } from "../../src/cli/values.js";

const calls: { path: string; input: CommandInput }[] = [];

const keys: Command = {
  name: "keys",
  summary: "Manage keys.",
  subcommands: [
    {
      name: "create",
      summary: "Mint a key.",
      options: {
        name: { type: "string", value: "NAME", description: "The key's name." },
        model: { type: "string", short: "m", value: "ALIAS", description: "An allowed model.", multiple: true },
        json: { type: "boolean", description: "Print JSON." },
      },
      run: (input) => {
        calls.push({ path: "keys create", input });
        return optString(input, "name") === "fail" ? 3 : 0;
      },
    },
    {
      name: "revoke",
      summary: "Revoke a key.",
      arguments: [{ name: "id", description: "the key's id" }],
      run: (input) => {
        calls.push({ path: "keys revoke", input });
        return 0;
      },
    },
  ],
};

const start: Command = {
  name: "start",
  summary: "Start.",
  options: { verbose: { type: "boolean", description: "More." } },
  run: (input) => {
    calls.push({ path: "start", input });
    return optFlag(input, "verbose") ? 7 : 0;
  },
};

async function run(...argv: string[]) {
  const out: string[] = [];
  const err: string[] = [];
  calls.length = 0;
  const code = await dispatch(argv, [start, keys], {}, { out: (s) => out.push(s), err: (s) => err.push(s) }, "9.9.9");
  return { code, out: out.join("\n"), err: err.join("\n"), calls: [...calls] };
}

describe("dispatch", () => {
  it("runs a subcommand with its options, repeatable ones collected", async () => {
    const r = await run("keys", "create", "--name", "alice", "-m", "gpt-*", "--model", "claude-*", "--json");
    expect(r.code).toBe(0);
    expect(r.calls[0]!.path).toBe("keys create");
    expect(r.calls[0]!.input.values).toEqual({ name: "alice", model: ["gpt-*", "claude-*"], json: true });
  });

  it("returns the command's exit status", async () => {
    expect((await run("keys", "create", "--name", "fail")).code).toBe(3);
    expect((await run("--verbose")).code).toBe(7);
  });

  it("passes arguments, and names a missing one", async () => {
    expect((await run("keys", "revoke", "key_123")).calls[0]!.input.args).toEqual(["key_123"]);
    const r = await run("keys", "revoke");
    expect(r.code).toBe(2);
    expect(r.err).toBe("llmux keys revoke: missing ID (the key's id)\nRun 'llmux help keys revoke' for usage.");
  });

  it("a command of subcommands needs one, and names an unknown one", async () => {
    const none = await run("keys");
    expect(none.code).toBe(2);
    expect(none.err).toContain("llmux keys: missing command (one of: create, revoke)");
    const typo = await run("keys", "craete");
    expect(typo.code).toBe(2);
    expect(typo.err).toContain("llmux keys: unknown keys command 'craete' (did you mean 'create'?)");
  });

  it("help for a command and a subcommand comes from their declarations", async () => {
    const group = await run("help", "keys");
    expect(group.out).toContain("Usage: llmux keys COMMAND [OPTIONS]");
    expect(group.out).toMatch(/create\s+Mint a key\./);
    const leaf = await run("keys", "create", "--help");
    expect(leaf.out).toContain("Usage: llmux keys create [OPTIONS]");
    expect(leaf.out).toContain("-m, --model ALIAS   An allowed model. (repeatable)");
    expect(leaf.calls).toEqual([]);
    expect((await run("help", "keys", "create")).out).toBe(leaf.out);
  });

  it("an unknown option of a subcommand is named with its path", async () => {
    const r = await run("keys", "create", "--nmae", "x");
    expect(r.code).toBe(2);
    expect(r.err).toContain("llmux keys create: unknown option '--nmae' (did you mean '--name'?)");
  });

  it("without a command, options go to the default command", async () => {
    const r = await run("--verbose");
    expect(r.calls[0]!.path).toBe("start");
  });
});
