/**
 * The README is the front door: what llmux is, the command that starts it and the one that tests it (which
 * .ci/run runs), one team recipe, and links into docs/ for the rest. What it used to hold lives in docs/,
 * checked here against the code: the architecture page names every room and top-level folder, the provider
 * table every provider type, and the log lines shown are what llmux writes. The README's commands run on a
 * fresh copy of the checkout in readme-commands.test.ts; its links and commands are checked by
 * doc-links.test.ts.
 */
import { execFileSync } from "node:child_process";
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { requestLine } from "../../src/log/terminal-line.js";
import { blocks, README, ROOT } from "./readme.js";
import { FLOORS } from "./rooms.js";

const read = (file: string) => readFileSync(join(ROOT, file), "utf8");
const section = (doc: string, heading: string) => {
  const from = doc.indexOf(`\n${heading}\n`);
  expect(from, heading).toBeGreaterThanOrEqual(0);
  const to = doc.indexOf("\n## ", from + heading.length);
  return doc.slice(from, to < 0 ? undefined : to);
};

describe("README", () => {
  it("gives one command to start and one to test, and .ci/run runs the test one", () => {
    const sh = blocks("sh");
    expect(sh).toContain("npm ci && npm start");
    const testCommand = "scripts/system-deps.sh && npm ci && npm test";
    expect(sh).toContain(testCommand);
    // .ci/run runs exactly the README's test command, as its last line.
    const ci = read(".ci/run").trim().split("\n");
    expect(ci.at(-1)).toBe(testCommand);
  });

  it("is a front door: what llmux is, the two commands, a team recipe, and links for the rest", () => {
    const headings = [...README.matchAll(/^## (.+)$/gm)].map((m) => m[1]!);
    expect(headings).toEqual(["Start it", "Test it", "A team in four commands", "Read more"]);
    expect(README.split("\n").length).toBeLessThan(150);
    const links = [...section(README, "## Read more").matchAll(/\]\(docs\/([^)#]+)/g)].map((m) => m[1]!);
    const pages = readdirSync(join(ROOT, "docs")).filter((f) => f.endsWith(".md"));
    for (const page of pages) expect(links, page).toContain(page);
    expect(links).toContain("clients/README.md");
  });

  it("says what npm test costs and what it needs", () => {
    const tests = section(README, "## Test it");
    expect(tests).toMatch(/about 15 minutes/);
    expect(tests).toMatch(/downloads\s+the real coding tools/);
    expect(tests).toMatch(/need the npm registry/);
    expect(tests).toContain("[test/README.md](test/README.md)");
  });

  it("quotes no measured figure: performance is docs/performance.md's", () => {
    expect(README).not.toMatch(/\d\s?(ms|MB|KB|req\/s)\b/);
    expect(README).toContain("[docs/performance.md](docs/performance.md)");
  });

  it("the docs speak of one money unit, nano-dollars, and say what model name Codex sees", () => {
    const docs = [
      "README.md",
      ...readdirSync(join(ROOT, "docs"))
        .filter((f) => f.endsWith(".md"))
        .map((f) => `docs/${f}`),
    ];
    for (const file of docs) expect(read(file), file).not.toMatch(/micro-?dollars?|millionths of a dollar/i);
    const codex = read("docs/clients/codex.md");
    expect(codex).toContain("Codex's answer names the model Codex asked for");
    expect(codex).not.toMatch(/answer shows the name of the upstream model/);
  });

  it("a llmux.yaml and a schema written in the checkout are ignored by git", () => {
    const ignored = execFileSync("git", ["check-ignore", "llmux.yaml", "llmux.schema.json"], { cwd: ROOT });
    expect(ignored.toString().trim().split("\n")).toEqual(["llmux.yaml", "llmux.schema.json"]);
  });
});

describe("what moved from the README to docs/", () => {
  it("docs/architecture.md names every room on its floor and every top-level folder", () => {
    const arch = read("docs/architecture.md");
    const floors = section(arch, "## The rooms");
    for (const room of FLOORS.flat().filter((r) => r !== "index")) expect(floors, room).toContain(`\`${room}\``);
    const rooms = readdirSync(join(ROOT, "src"), { withFileTypes: true })
      .filter((d) => d.isDirectory() && d.name !== "types")
      .map((d) => d.name);
    for (const room of rooms) expect(floors, room).toContain(`\`${room}\``);
    const folders = section(arch, "## The top-level folders");
    const tracked = execFileSync("git", ["ls-tree", "-d", "--name-only", "HEAD"], { cwd: ROOT }).toString();
    for (const top of tracked
      .trim()
      .split("\n")
      .filter((d) => !d.startsWith(".")))
      expect(folders, top).toMatch(new RegExp(`\\n${top}/`));
  });

  it("docs/config.md's provider table and docs/clients/README.md name every provider type", () => {
    const registry = read("src/providers/index.ts");
    const types = [...registry.matchAll(/^\s+"?([\w-]+)"?: \w+Provider,$/gm)].map((m) => m[1]!);
    expect(types.length).toBeGreaterThanOrEqual(9);
    const config = section(read("docs/config.md"), "## `providers`");
    const clients = read("docs/clients/README.md");
    for (const type of types) {
      expect(config, type).toContain(`| \`${type}\``);
      expect(clients, type).toContain(`| \`${type}\``);
    }
  });

  it("docs/config.md shows request log lines as llmux writes them", () => {
    const logging = section(read("docs/config.md"), "## `logging`");
    const text = [...logging.matchAll(/```text\n([\s\S]*?)```/g)].map((m) => m[1]!).find((b) => b.includes("POST"))!;
    const [first, refused] = text
      .trim()
      .split("\n")
      .map((l) => l.replace(/^\d\d:\d\d:\d\d /, ""));
    expect(first).toBe(
      requestLine({
        req_id: "r",
        method: "POST",
        path: "/v1/messages",
        status: 200,
        requested: "claude-sonnet-4-5",
        alias: "claude-*",
        provider: "anthropic",
        model: "claude-sonnet-4-5",
        stream: true,
        latency_ms: 1200,
        ttfb_ms: 310,
        tokens: { input: 1234, output: 567 },
        key: "alice",
        client_tool: "claude-code",
      }),
    );
    expect(refused).toBe(
      requestLine({
        req_id: "r",
        method: "POST",
        path: "/v1/messages",
        status: 401,
        outcome: "refused",
        reason: "the API key is not one of llmux's service keys",
        latency_ms: 0.3,
        client_tool: "claude-code",
      }),
    );
  });
});
