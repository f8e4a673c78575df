/**
 * Every relative link of the README and docs/ leads somewhere: the file exists and, when the link names a
 * section (`file.md#section`), the file has a heading with that anchor (GitHub's: lower case, punctuation
 * dropped, spaces as hyphens). Code blocks are left out. Every `llmux COMMAND` the README and docs/commands.md
 * show is a command `llmux --help` lists, and `llmux COMMAND SUB` a subcommand `llmux help COMMAND` lists.
 */
import { existsSync, readdirSync, readFileSync, statSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { describe, expect, it } from "vitest";
import { COMMANDS } from "../../src/cli/commands.js";
import { dispatch } from "../../src/cli/dispatch.js";

const ROOT = join(import.meta.dirname, "../..");

function markdown(dir: string, out: string[] = []): string[] {
  for (const name of readdirSync(join(ROOT, dir))) {
    const p = join(dir, name);
    if (statSync(join(ROOT, p)).isDirectory()) markdown(p, out);
    else if (name.endsWith(".md")) out.push(p);
  }
  return out;
}

const FILES = ["README.md", ...markdown("docs")];
const prose = (file: string) => readFileSync(file, "utf8").replace(/```[\s\S]*?```/g, "");
const slug = (h: string) =>
  h
    .toLowerCase()
    .replace(/[^a-z0-9 _-]/g, "")
    .replace(/ /g, "-");
const anchors = (file: string) => new Set([...prose(file).matchAll(/^#{1,6} (.+)$/gm)].map((m) => slug(m[1]!)));

describe("links in the README and docs/", () => {
  it("finds the documents and their links (sanity check)", () => {
    expect(FILES).toContain("docs/observability.md");
    expect(FILES.length).toBeGreaterThan(10);
    expect(anchors(join(ROOT, "docs/observability.md"))).toContain("llmux-logs");
  });

  it.each(FILES)("%s: every relative link names an existing file and section", (file) => {
    const broken: string[] = [];
    for (const m of prose(join(ROOT, file)).matchAll(/\]\(([^)\s]+)\)/g)) {
      const href = m[1]!;
      if (/^[a-z]+:/i.test(href)) continue;
      const [path, anchor] = href.split("#");
      const target = path ? resolve(ROOT, dirname(file), path) : join(ROOT, file);
      if (!existsSync(target)) broken.push(`${href} (no such file)`);
      else if (anchor && target.endsWith(".md") && !anchors(target).has(anchor))
        broken.push(`${href} (no such section)`);
    }
    expect(broken).toEqual([]);
  });
});

/** What `llmux ARGS` prints (in process, through the dispatch the built command runs). */
async function llmuxOut(args: string[]): Promise<string> {
  const out: string[] = [];
  await dispatch(args, COMMANDS, {}, { out: (t) => out.push(t), err: (t) => out.push(t) }, "0.0.0");
  return out.join("\n");
}

/** The names listed under "Commands:" in a help text. */
function listed(help: string): string[] {
  const block = help.slice(help.indexOf("Commands:\n") + "Commands:\n".length).split("\n\n")[0]!;
  return block.split("\n").map((l) => l.trim().split(/\s+/)[0]!);
}

describe("the llmux commands the README and docs/commands.md show", () => {
  const shown = (file: string) => {
    const text = readFileSync(join(ROOT, file), "utf8");
    // The code: fenced blocks, then code spans in the prose and tables.
    const fenced = [...text.matchAll(/```\w*\n([\s\S]*?)```/g)].map((m) => m[1]!.replace(/\s#\s.*$/gm, ""));
    const spans = [...text.replace(/```[\s\S]*?```/g, "").matchAll(/`([^`\n]+)`/g)].map((m) => m[1]!);
    return [...fenced, ...spans].flatMap((code) =>
      [...code.matchAll(/(?:^|[\s(])(?:npx )?llmux ([a-z][\w-]*)(?: ([a-z][\w-]*))?/gm)].map((m) => ({
        command: m[1]!,
        sub: m[2],
      })),
    );
  };

  it("finds them (sanity check)", () => {
    const readme = shown("README.md").map((c) => c.command);
    for (const c of ["start", "claude", "teams", "keys", "spend", "logs"]) expect(readme).toContain(c);
  });

  it.each(["README.md", "docs/commands.md"])(
    "%s: each is in llmux --help, each subcommand in its help",
    async (file) => {
      const general = await llmuxOut(["--help"]);
      const commands = listed(general);
      expect(commands).toContain("start");
      const missing: string[] = [];
      for (const { command, sub } of shown(file)) {
        if (!commands.includes(command)) {
          missing.push(`llmux ${command}`);
          continue;
        }
        if (command === "help") continue;
        const help = await llmuxOut(["help", command]);
        if (sub && help.includes("Commands:\n") && !listed(help).includes(sub)) missing.push(`llmux ${command} ${sub}`);
      }
      expect(missing).toEqual([]);
    },
  );
});
