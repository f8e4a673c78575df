import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { parse as parseYaml } from "yaml";
import { z } from "zod";
import { parseConfig } from "../../src/config/load.js";
import { PRESET_TABLE as PRESETS } from "../../src/config/presets.js";
import { ConfigSchema } from "../../src/config/schema.js";

/**
 * docs/config.md must not drift from the schema: every key, every choice, every preset and every
 * environment variable llmux reads must be documented, and every YAML example must validate.
 */

const DOC = readFileSync(new URL("../../docs/config.md", import.meta.url), "utf8");
const ENV_SETUP = readFileSync(new URL("../../src/config/env-setup.ts", import.meta.url), "utf8");
const START = ["../../src/cli/start.ts", "../../src/config/resolve.ts"]
  .map((f) => readFileSync(new URL(f, import.meta.url), "utf8"))
  .join("\n");

type Node = Record<string, unknown>;

/** Every property name and every enum / const value in a JSON Schema, walked recursively. */
function walk(node: unknown, keys: Set<string>, values: Set<string>): void {
  if (Array.isArray(node)) {
    for (const n of node) walk(n, keys, values);
    return;
  }
  if (!node || typeof node !== "object") return;
  const n = node as Node;
  if (n.properties && typeof n.properties === "object") {
    for (const [k, v] of Object.entries(n.properties as Node)) {
      keys.add(k);
      walk(v, keys, values);
    }
  }
  if (Array.isArray(n.enum)) for (const v of n.enum) values.add(String(v));
  if (typeof n.const === "string") values.add(n.const);
  for (const k of ["additionalProperties", "items", "oneOf", "anyOf", "allOf", "prefixItems", "$defs"]) {
    if (n[k] !== undefined) walk(k === "$defs" ? Object.values(n[k] as Node) : n[k], keys, values);
  }
}

const keys = new Set<string>();
const values = new Set<string>();
walk(z.toJSONSchema(ConfigSchema, { io: "input" }), keys, values);

const mentioned = (word: string) => DOC.includes(`\`${word}\``);

describe("docs/config.md covers the configuration schema", () => {
  it("the schema walk finds the keys (sanity check of the walker)", () => {
    for (const k of [
      "server",
      "tls",
      "cert",
      "passthrough",
      "api_version",
      "betas",
      "top_k",
      "budget_tokens",
      "pretty",
    ]) {
      expect(keys.has(k), k).toBe(true);
    }
    expect(values.has("openai-compatible")).toBe(true);
    expect(values.has("xhigh")).toBe(true);
    expect(keys.size).toBeGreaterThan(40);
  });

  it("mentions every key of the schema, in code format", () => {
    const missing = [...keys].filter((k) => !mentioned(k));
    expect(missing, `keys missing from docs/config.md: ${missing.join(", ")}`).toEqual([]);
  });

  it("mentions every choice of every key, in code format", () => {
    const missing = [...values].filter((v) => !mentioned(v));
    expect(missing, `values missing from docs/config.md: ${missing.join(", ")}`).toEqual([]);
  });

  it("mentions every environment variable llmux reads", () => {
    const names = new Set<string>();
    for (const m of ENV_SETUP.matchAll(/set\(env, "([A-Z_]+)"\)/g)) names.add(m[1]!);
    for (const m of START.matchAll(/env\.([A-Z_]+)/g)) names.add(m[1]!);
    expect(names.has("AZURE_BASE_URL")).toBe(true);
    expect(names.has("LLMUX_CONFIG")).toBe(true);
    const missing = [...names].filter((n) => !mentioned(n));
    expect(missing, `variables missing from docs/config.md: ${missing.join(", ")}`).toEqual([]);
  });

  it("the presets table matches src/config/presets.ts", () => {
    const rows = new Map<string, string[]>();
    for (const line of DOC.split("\n")) {
      const cells = line.split("|").map((c) => c.trim().replace(/^`|`$/g, ""));
      // | `name` | `url` | `reasoning_field` | `max_tokens_field` | `custom_tools` | `top_k` |
      if (cells.length === 8 && cells[1]! in PRESETS && /^https?:\/\//.test(cells[2]!))
        rows.set(cells[1]!, cells.slice(2, 7));
    }
    expect([...rows.keys()].sort()).toEqual(Object.keys(PRESETS).sort());
    for (const [name, p] of Object.entries(PRESETS)) {
      expect(rows.get(name), name).toEqual([
        p.baseUrl,
        p.reasoningField ?? "none",
        p.maxTokensField ?? "max_tokens",
        String(p.customTools ?? false),
        String(p.topK ?? false),
      ]);
    }
  });

  it("documents the config discovery order, the schema command and the warnings header", () => {
    for (const s of [
      "--config FILE",
      "LLMUX_CONFIG",
      "./llmux.yaml",
      "llmux.yaml",
      "llmux schema > llmux.schema.json",
    ]) {
      expect(DOC).toContain(s);
    }
    expect(DOC).toContain("# yaml-language-server: $schema=./llmux.schema.json");
    expect(DOC).toContain("llmux-warnings");
  });
});

describe("docs/config.md's table of contents", () => {
  /** GitHub's anchor for a heading: lower case, punctuation dropped, spaces as hyphens. */
  const slug = (h: string) =>
    h
      .toLowerCase()
      .replace(/[^a-z0-9 _-]/g, "")
      .replace(/ /g, "-");

  it("lists every section, linked to its anchor, in order", () => {
    const headings = [...DOC.matchAll(/^## (.+)$/gm)].map((m) => m[1]!);
    const toc = [...DOC.slice(0, DOC.indexOf("\n## ")).matchAll(/^- \[(.+)\]\(#(.+)\)$/gm)].map((m) => [m[1], m[2]]);
    expect(headings.length).toBeGreaterThan(10);
    expect(toc).toEqual(headings.map((h) => [h, slug(h)]));
  });
});

describe("docs/config.md examples", () => {
  const blocks = [...DOC.matchAll(/```yaml\n([\s\S]*?)```/g)].map((m) => m[1]!);

  /** Values for the variables an example needs (those without a default): URLs where a URL is expected. */
  function envFor(text: string): Record<string, string> {
    const env: Record<string, string> = {};
    for (const m of text.matchAll(/\$\{([A-Za-z_][A-Za-z0-9_]*)\}/g)) {
      env[m[1]!] = /URL|ENDPOINT/.test(m[1]!) ? "https://example.test" : "test-value";
    }
    return env;
  }

  it("has YAML examples", () => {
    expect(blocks.length).toBeGreaterThanOrEqual(8);
  });

  for (const [i, text] of blocks.entries()) {
    const title = text.split("\n").find((l) => l.trim() && !l.startsWith("#")) ?? text.split("\n")[0];
    it(`example ${i + 1} validates (${title})`, () => {
      expect(() => parseConfig(parseYaml(text), envFor(text))).not.toThrow();
    });
  }
});
