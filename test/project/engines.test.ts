/**
 * The Node versions package.json promises (`engines`) are ones every installed package supports: each
 * non-optional package in package-lock.json declares an `engines.node` range that contains ours (checked with
 * semver, npm's own range logic), so `npm ci` on a supported Node prints no EBADENGINE warning. Two test
 * oracles are the exception, named here: the newest official `openai` and `@google/genai` SDKs (devDependencies
 * only, never shipped) declare Node >= 22 since their 7.x and 3.x majors; the tests judge llmux with the SDK
 * majors clients run, and they pass on this machine's Node 20 (`npm ci` warns about these two).
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import semver from "semver";
import { describe, expect, it } from "vitest";

const ROOT = join(import.meta.dirname, "../..");
const pkg = JSON.parse(readFileSync(join(ROOT, "package.json"), "utf8")) as {
  engines: { node: string };
  devDependencies: Record<string, string>;
  dependencies: Record<string, string>;
};
const lock = JSON.parse(readFileSync(join(ROOT, "package-lock.json"), "utf8")) as {
  packages: Record<
    string,
    { engines?: { node?: string } | string[]; optional?: boolean; dev?: boolean; version?: string }
  >;
};

/** Development-only test oracles whose newest majors ask for a newer Node than llmux runs on (see above). */
const NEWER_NODE_ORACLES = new Set(["node_modules/openai", "node_modules/@google/genai"]);

describe("engines", () => {
  it("covers this machine's Node and the LTS lines llmux runs on", () => {
    expect(semver.satisfies(process.version, pkg.engines.node)).toBe(true);
    for (const v of ["20.19.0", "22.12.0", "24.0.0"]) expect(semver.satisfies(v, pkg.engines.node), v).toBe(true);
  });

  it("every installed package supports every Node version engines allows", () => {
    const conflicts: string[] = [];
    for (const [path, p] of Object.entries(lock.packages)) {
      if (path === "" || p.optional) continue;
      if (p.dev && NEWER_NODE_ORACLES.has(path)) continue;
      const range = p.engines && !Array.isArray(p.engines) ? p.engines.node : undefined;
      if (!range) continue;
      if (!semver.subset(pkg.engines.node, range)) conflicts.push(`${path}@${p.version}: node ${range}`);
    }
    expect(conflicts).toEqual([]);
  });

  it("dependencies are pinned to exact versions", () => {
    for (const [name, v] of Object.entries({ ...pkg.dependencies, ...pkg.devDependencies }))
      expect(semver.valid(v), `${name}@${v}`).not.toBeNull();
  });
});
