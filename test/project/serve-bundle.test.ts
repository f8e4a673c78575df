/**
 * The command as shipped: llmux bundled into dist/bundle by scripts/serve-bundle.mjs (the e2e setup builds it as
 * `npm run build` does). One copy of zod serves llmux's schemas and the admin API's router; the packages kept
 * out of the bundle are loaded from node_modules by name; a build whose inputs did not change leaves the bundle
 * as it is, one whose inputs changed keeps the last builds' files, and the prune of stale compiled files leaves
 * it alone.
 */
import { execFileSync } from "node:child_process";
import { readdirSync, readFileSync, statSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { DIST, ROOT } from "../support/built.js";

const BUNDLE = join(DIST, "bundle");
const modules = () => JSON.parse(readFileSync(join(BUNDLE, "modules.json"), "utf8")) as Record<string, string[]>;

describe("scripts/serve-bundle.mjs", () => {
  it("bundles llmux's modules each in one file of this build, and lists every file it keeps", () => {
    const files = readdirSync(BUNDLE).filter((f) => f.endsWith(".js"));
    const listed = modules();
    // This build's files are there; any other file is one of the last builds' (kept for a gateway started
    // from them, which loads its lazy files after a rebuild).
    expect(Object.keys(listed).filter((f) => !files.includes(f))).toEqual([]);
    const builds = JSON.parse(readFileSync(join(BUNDLE, "builds.json"), "utf8")) as string[][];
    expect(builds[0]!.sort()).toEqual(Object.keys(listed).sort());
    expect(files.filter((f) => !builds.flat().includes(f))).toEqual([]);
    const all = Object.values(listed).flat();
    expect(new Set(all).size).toBe(all.length);
    for (const m of ["dist/cli/start.js", "dist/server/serve.js", "dist/admin/routes.js", "dist/data/kysely.js"])
      expect(all).toContain(m);
  });

  it("holds one copy of zod, shared by llmux's schemas and the admin API's router (no file imports it by name)", () => {
    const all = Object.values(modules()).flat();
    expect(all.filter((m) => m === "node_modules/zod/v4/core/core.js")).toHaveLength(1);
    expect(all.some((m) => m.startsWith("node_modules/@hono/zod-openapi/"))).toBe(true);
    const named = readdirSync(BUNDLE)
      .filter((f) => f.endsWith(".js"))
      .filter((f) =>
        /^import\b[^;]*?["'](zod|hono|@hono\/[^"'/]+)(\/[^"']*)?["'];?$/m.test(readFileSync(join(BUNDLE, f), "utf8")),
      );
    expect(named).toEqual([]);
  });

  it("leaves the packages it does not bundle to node_modules, by name", () => {
    const all = Object.values(modules()).flat();
    for (const p of ["libsql", "pg", "ioredis", "@modelcontextprotocol/sdk", "pino", "ws"])
      expect(
        all.filter((m) => m.startsWith(`node_modules/${p}/`)),
        p,
      ).toEqual([]);
  });

  it("writes only ASCII (V8 would hold a file with one wider character at two bytes a character), text unchanged", () => {
    const wide = Object.keys(modules()).filter((f) => /[\u0080-\uffff]/.test(readFileSync(join(BUNDLE, f), "latin1")));
    expect(wide).toEqual([]);
    // The escaped literals read as the characters they stand for: help texts with dashes and arrows, bundled and
    // as compiled, are the same bytes.
    const help = (entry: string, topic: string) =>
      execFileSync(process.execPath, [join(DIST, entry), "help", topic], { encoding: "utf8" });
    const texts = ["login", "claude"].map((t) => help("bundle/llmux.js", t));
    expect(texts.filter((t) => /[\u0080-\uffff]/.test(t)).length).toBeGreaterThan(0);
    expect(texts).toEqual(["login", "claude"].map((t) => help("cli/main.js", t)));
  });

  it("makes nothing again when nothing it is made from changed, and the prune of stale files leaves it", () => {
    const before = statSync(join(BUNDLE, "llmux.js")).mtimeMs;
    execFileSync(process.execPath, [join(ROOT, "scripts/prune-dist.mjs")]);
    execFileSync(process.execPath, [join(ROOT, "scripts/serve-bundle.mjs")]);
    expect(statSync(join(BUNDLE, "llmux.js")).mtimeMs).toBe(before);
  });
});
