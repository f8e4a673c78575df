/**
 * The built gateway validates its configuration in a child process (src/cli/config-aside.ts, the child
 * dist/bundle/config-check.js), so that the configuration's schema and zod stay out of its memory: the
 * configuration it gets back is the one validation in place gives (every example of docs/config.md), the child
 * answers the secrets the configuration declares (for the redaction), and a configuration's problems come
 * back as the same error, with the same words.
 */
import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { afterAll, describe, expect, it } from "vitest";
import type { ConfigError } from "../../src/config/config-error.js";
import { resolveConfig } from "../../src/config/resolve.js";
import { DIST, ROOT } from "../support/built.js";

type Aside = typeof import("../../src/cli/config-aside.js");
type Redact = typeof import("../../src/secrets/redact.js");
const aside = (await import(pathToFileURL(join(DIST, "cli/config-aside.js")).href)) as Aside;
const redact = (await import(pathToFileURL(join(DIST, "secrets/redact.js")).href)) as Redact;
const CHILD = join(DIST, "bundle/config-check.js");

const dir = mkdtempSync(join(tmpdir(), "llmux-aside-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const PLANTED = "sk-planted-aside-8c1f2e9d";
const YAML = [
  "providers:",
  "  up:",
  "    type: openai",
  "    base_url: https://api.example.test/v1",
  `    api_key: $\{UP_KEY}`,
  "models:",
  "  fast: { provider: up, model: gpt-4.1-mini }",
  "",
].join("\n");

describe("the configuration validated by the child", () => {
  it("is the one validation in place gives, and its secrets are known for the redaction", async () => {
    const file = join(dir, "llmux.yaml");
    writeFileSync(file, YAML);
    const env = { UP_KEY: PLANTED, PATH: process.env.PATH ?? "" };
    const got = await aside.resolveConfigAside({ config: file }, env);
    expect(got).toEqual(resolveConfig({ config: file }, env));
    expect(got.config.providers.up).toMatchObject({ api_key: PLANTED });
    expect(redact.configSecrets(got.config)).toContain(PLANTED);
  });

  it("answers the declared secrets with their paths", () => {
    const file = join(dir, "child.yaml");
    writeFileSync(file, YAML);
    const run = spawnSync(process.execPath, [CHILD], {
      input: JSON.stringify({ opts: { config: file, cwd: dir }, env: { UP_KEY: PLANTED } }),
      encoding: "utf8",
    });
    const answer = JSON.parse(run.stdout) as { secrets: { value: string; path: string }[] };
    expect(answer.secrets).toContainEqual(expect.objectContaining({ value: PLANTED, path: "providers.up.api_key" }));
  });

  // Every example, a child process each: in groups, so that each test's work stays well inside its time on a
  // loaded 2-core machine (45 examples in one test took 21 s there).
  const blocks = [...readFileSync(join(ROOT, "docs/config.md"), "utf8").matchAll(/```yaml\n([\s\S]*?)```/g)].map(
    (m) => m[1]!,
  );
  it("docs/config.md has its examples", () => {
    expect(blocks.length).toBeGreaterThanOrEqual(8);
  });
  const GROUP = 5;
  for (let from = 0; from < blocks.length; from += GROUP) {
    const to = Math.min(blocks.length, from + GROUP);
    it(`gives examples ${from + 1}–${to} of docs/config.md as validation in place does`, async () => {
      for (let i = from; i < to; i++) {
        const text = blocks[i]!;
        const file = join(dir, `example-${i}.yaml`);
        writeFileSync(file, text);
        const env: Record<string, string> = {};
        for (const m of text.matchAll(/\$\{([A-Za-z_][A-Za-z0-9_]*)\}/g))
          env[m[1]!] = /URL|ENDPOINT/.test(m[1]!) ? "https://example.test" : "test-value";
        const here = resolveConfig({ config: file, cwd: dir }, env);
        const there = await aside.resolveConfigAside({ config: file, cwd: dir }, env);
        expect(there, `example ${i + 1}`).toEqual(here);
        // Nothing is lost on the way: the child's answer is JSON, and so is what validation in place gives.
        expect(JSON.parse(JSON.stringify(here))).toEqual(here);
      }
    });
  }

  it("reports a configuration's problems as validation in place does, in the same words", async () => {
    const file = join(dir, "broken.yaml");
    writeFileSync(file, "server: { prot: 1 }\nproviders: { x: { type: nope } }\n");
    const here = (() => {
      try {
        resolveConfig({ config: file }, {});
      } catch (err) {
        return err as ConfigError;
      }
      throw new Error("the broken configuration validated");
    })();
    const there = await aside.resolveConfigAside({ config: file }, {}).then(
      () => new Error("the broken configuration validated in the child"),
      (err: unknown) => err as Error,
    );
    expect(there.name).toBe("ConfigError");
    expect(there.message).toBe(here.message);
    expect((there as ConfigError).problems).toEqual(here.problems);
    // A YAML error too (its heading names the file).
    writeFileSync(file, "providers: [\n");
    const yaml = await aside.resolveConfigAside({ config: file }, {}).then(
      () => new Error("the broken YAML validated in the child"),
      (err: unknown) => err as Error,
    );
    expect(yaml.message).toMatch(
      new RegExp(`^invalid configuration in ${file.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")}:`),
    );
  });
});
