import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it, vi } from "vitest";
import { guardrailsCommand } from "../../src/cli/guardrails.js";
import { planted } from "./planted.js";

const test = guardrailsCommand.subcommands![0]!;

async function run(file: string, values: Record<string, string | boolean> = {}, config?: string) {
  let out = "";
  const spy = vi.spyOn(process.stdout, "write").mockImplementation((chunk) => {
    out += String(chunk);
    return true;
  });
  try {
    const code = await test.run!({ values: { ...(config ? { config } : {}), ...values }, args: [file], env: {} });
    return { code, out };
  } finally {
    spy.mockRestore();
  }
}

describe("llmux guardrails test FILE", () => {
  afterEach(() => vi.restoreAllMocks());
  const dir = mkdtempSync(join(tmpdir(), "llmux-guard-"));

  it("prints each finding's place, rule and action, never the value", async () => {
    const plants = planted("cli");
    const file = join(dir, ".env");
    writeFileSync(file, `# settings\n${plants[0]!.text}\nPLAIN=1\n${plants[5]!.text}\n`);
    const { code, out } = await run(file);
    expect(code).toBe(0);
    expect(out).toContain(`${file}:2:19  aws-access-token (secrets)  mask`);
    expect(out).toContain(`${file}:4:8  stripe-access-token (secrets)  mask`);
    expect(out).toContain("2 finding(s)");
    expect(out).not.toContain(plants[0]!.secret);
    expect(out).not.toContain(plants[5]!.secret);
  });

  it("follows the configuration's policy and exits 1 when something would be blocked", async () => {
    const config = join(dir, "llmux.yaml");
    writeFileSync(
      config,
      "guardrails:\n  enabled: true\n  actions: { secrets: block }\n  rules:\n    - { id: acme-token, pattern: 'acme_([0-9]{6})' }\n",
    );
    const file = join(dir, "notes.txt");
    writeFileSync(file, `call acme_123456 with ${planted("cli")[2]!.text}\n`);
    const { code, out } = await run(file, { json: true }, config);
    expect(code).toBe(1);
    const rows = out
      .trim()
      .split("\n")
      .map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(rows.map((r) => [r.rule, r.action])).toEqual([
      ["acme-token", "block"],
      ["github-pat", "block"],
    ]);
  });

  it("says when nothing is found", async () => {
    const file = join(dir, "clean.txt");
    writeFileSync(file, "nothing to see here\n");
    expect((await run(file)).out).toContain("nothing found");
  });
});
