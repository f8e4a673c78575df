/**
 * What the README says, checked against what llmux does: its two commands (and .ci/run runs the test one),
 * what the tests need, the log lines llmux writes. The commands themselves run on a fresh copy of the
 * checkout in readme-commands.test.ts.
 */
import { execFileSync } from "node:child_process";
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { requestLine } from "../../src/log/terminal-line.js";
import { blocks, README, ROOT } from "./readme.js";

describe("README", () => {
  it("gives one command to start and one to test, and .ci/run runs the test one", () => {
    const sh = blocks("sh");
    expect(sh).toContain("npm ci && npm start");
    const testCommand = "scripts/system-deps.sh && npm ci && npm test";
    expect(sh).toContain(testCommand);
    // .ci/run runs exactly the README's test command, as its last line.
    const ci = readFileSync(join(ROOT, ".ci/run"), "utf8").trim().split("\n");
    expect(ci.at(-1)).toBe(testCommand);
  });

  it("says what npm test costs and what it needs", () => {
    const tests = README.slice(README.indexOf("## Tests"), README.indexOf("## Use your own models"));
    expect(tests).toMatch(/about 15 minutes/);
    expect(tests).toMatch(/downloads the real coding tools/);
    expect(tests).toMatch(/need the npm registry/);
  });

  it("its layout names every folder of src/, every top-level folder and every provider type", () => {
    const layout = README.slice(README.indexOf("## Layout"));
    const folders = (dir: string) =>
      readdirSync(join(ROOT, dir), { withFileTypes: true })
        .filter((d) => d.isDirectory() && d.name !== "types")
        .map((d) => d.name);
    for (const room of folders("src")) expect(layout, room).toContain(`src/${room}/`);
    const tracked = execFileSync("git", ["ls-tree", "-d", "--name-only", "HEAD"], { cwd: ROOT }).toString();
    for (const top of tracked
      .trim()
      .split("\n")
      .filter((d) => !d.startsWith(".")))
      expect(layout, top).toMatch(new RegExp(`(^|\\n)${top}/`));
    const registry = readFileSync(join(ROOT, "src/providers/index.ts"), "utf8");
    const types = [...registry.matchAll(/case "([\w-]+)":/g)].map((m) => m[1]!);
    const names: Record<string, string> = { azure: "Azure OpenAI", openai: "OpenAI", anthropic: "Anthropic" };
    Object.assign(names, { gemini: "Gemini", vertex: "Vertex AI", bedrock: "Amazon Bedrock", cursor: "Cursor" });
    Object.assign(names, { mock: "the built-in mock", "openai-compatible": "OpenAI-compatible" });
    expect(types.length).toBeGreaterThanOrEqual(9);
    for (const type of types) expect(layout, type).toContain(names[type] ?? `(no name for ${type})`);
  });

  it("the docs speak of one money unit, nano-dollars, and say what model name Codex sees", () => {
    const docs = [join(ROOT, "README.md"), ...readdirSync(join(ROOT, "docs")).filter((f) => f.endsWith(".md"))];
    for (const file of docs) {
      const text = readFileSync(file.startsWith("/") ? file : join(ROOT, "docs", file), "utf8");
      expect(text, file).not.toMatch(/micro-?dollars?|millionths of a dollar/i);
    }
    const codex = readFileSync(join(ROOT, "docs/clients/codex.md"), "utf8");
    expect(codex).toContain("Codex's answer names the model Codex asked for");
    expect(codex).not.toMatch(/answer shows the name of the upstream model/);
  });

  it("a llmux.yaml and a schema written in the checkout are ignored by git", () => {
    const ignored = execFileSync("git", ["check-ignore", "llmux.yaml", "llmux.schema.json"], { cwd: ROOT });
    expect(ignored.toString().trim().split("\n")).toEqual(["llmux.yaml", "llmux.schema.json"]);
  });

  it("shows request log lines as llmux writes them", () => {
    const text = blocks("text").find((b) => b.includes("POST /v1/messages"))!;
    const first = text.split("\n")[0]!.replace(/^\d\d:\d\d:\d\d /, "");
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
    const refused = text.split("\n")[1]!.replace(/^\d\d:\d\d:\d\d /, "");
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
