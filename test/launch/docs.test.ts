/**
 * The launchers in the documents: the README names them right after the quick start and links their section of
 * docs/commands.md, which describes them all; each client page starts
 * with its launcher, every `llmux …` line shown parses with the command's own options, and every variable the
 * documents name is one llmux reads.
 */
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import type { Command } from "../../src/cli/command.js";
import { COMMANDS } from "../../src/cli/commands.js";
import { parseCommandLine } from "../../src/cli/parse.js";
import { TOOLS } from "../../src/launch/tools.js";

const REPO_ROOT = join(import.meta.dirname, "../..");

const read = (rel: string) => readFileSync(join(REPO_ROOT, rel), "utf8");
const README = read("README.md");
const COMMANDS_DOC = read("docs/commands.md");
const PAGES = {
  "claude-code.md": "claude",
  "codex.md": "codex",
  "opencode.md": "opencode",
  "gemini-cli.md": "gemini",
  "copilot.md": "copilot",
  "cursor.md": "cursor",
};

function shBlocks(doc: string): string[] {
  return [...doc.matchAll(/```sh\n([\s\S]*?)```/g)].map((m) => m[1]!);
}

/** Words of a shell command line as sh would split it (quotes removed; $VAR left as written). */
function words(line: string): string[] {
  const out: string[] = [];
  let cur = "";
  let quote: string | undefined;
  let has = false;
  for (const ch of line) {
    if (quote) {
      if (ch === quote) quote = undefined;
      else cur += ch;
    } else if (ch === "'" || ch === '"') {
      quote = ch;
      has = true;
    } else if (ch === " ") {
      if (cur || has) out.push(cur);
      cur = "";
      has = false;
    } else cur += ch;
  }
  if (cur || has) out.push(cur);
  return out;
}

/** Every `llmux …` command shown in sh blocks (also inside `$(…)`), without comments. */
function llmuxLines(doc: string): string[] {
  const out: string[] = [];
  for (const block of shBlocks(doc)) {
    for (const raw of block.split("\n")) {
      const line = raw.replace(/\s+#\s.*$/, "").replace(/\s+>.*$/, "");
      for (const m of line.matchAll(/(?:^|\$\()llmux ([^)]*)/g)) out.push(m[1]!.trim());
    }
  }
  return out;
}

function find(name: string): Command {
  const cmd = COMMANDS.find((c) => c.name === name);
  if (!cmd) throw new Error(`no command ${name}`);
  return cmd;
}

describe("the launchers in the documents", () => {
  it("README: the quick start names every launcher and links docs/commands.md, which describes them", () => {
    const start = README.slice(
      README.indexOf("## Start it"),
      README.indexOf("\n## ", README.indexOf("## Start it") + 3),
    );
    const section = COMMANDS_DOC.slice(COMMANDS_DOC.indexOf("## Run your coding tool"));
    for (const name of ["claude", "codex", "opencode", "gemini", "copilot", "cursor"]) {
      expect(start).toContain(`llmux ${name}`);
      expect(section).toContain(`llmux ${name}`);
    }
    expect(start).toContain("(docs/commands.md#run-your-coding-tool-through-llmux)");
  });

  for (const [page, name] of Object.entries(PAGES)) {
    it(`docs/clients/${page} starts with llmux ${name}`, () => {
      const doc = read(`docs/clients/${page}`);
      const first = /^## (.+)$/m.exec(doc)![1];
      expect(first).toBe(`The quick way: \`llmux ${name}\``);
      const block = shBlocks(doc.slice(doc.indexOf("## The quick way")))[0]!;
      for (const line of block.trim().split("\n")) expect(line.startsWith(`llmux ${name}`), line).toBe(true);
    });
  }

  const docs = [
    "README.md",
    "docs/commands.md",
    "docs/doctor.md",
    ...readdirSync(join(REPO_ROOT, "docs/clients")).map((f) => `docs/clients/${f}`),
  ];
  it("every llmux command line they show parses with that command's own options", () => {
    let checked = 0;
    for (const file of docs) {
      for (const line of llmuxLines(read(file))) {
        const [name, ...rest] = words(line);
        if (
          !name ||
          name.startsWith("-") ||
          ["help", "start", "schema", "keys", "teams", "mock", "spend", "secrets"].includes(name)
        )
          continue;
        expect(() => parseCommandLine(find(name), name, rest, {}), `${file}: llmux ${line}`).not.toThrow();
        checked++;
      }
    }
    expect(checked).toBeGreaterThan(15);
  });

  it("every LLMUX_… variable they name for the launchers is one llmux reads", () => {
    const source = ["src/launch/server.ts", "src/launch/target.ts", "src/cli/launch.ts", "src/cli/cursor.ts"]
      .map(read)
      .join("\n");
    const section = (doc: string, from: string) =>
      doc.slice(doc.indexOf(from), doc.indexOf("\n## ", doc.indexOf(from) + 3));
    const texts = [
      section(COMMANDS_DOC, "## Run your coding tool"),
      read("docs/doctor.md"),
      ...Object.keys(PAGES).map((p) => section(read(`docs/clients/${p}`), "## The quick way")),
    ];
    const named = new Set<string>();
    for (const text of texts) for (const m of text.matchAll(/\$?(LLMUX_[A-Z_]+)/g)) named.add(m[1]!);
    named.delete("LLMUX_KEY"); // also the documents' own variable for the key in llmux.yaml
    named.delete("LLMUX_CONFIG"); // read by llmux start (checked by test/config/docs.test.ts)
    expect(named.size).toBeGreaterThan(3);
    const binVars = Object.values(TOOLS).map((t) => t.binEnv);
    for (const v of named) expect(source.includes(v) || binVars.includes(v), v).toBe(true);
    for (const v of binVars) expect(COMMANDS_DOC, v).toContain(v);
    expect(read("src/launch/target.ts")).toContain("env.LLMUX_KEY");
  });
});
