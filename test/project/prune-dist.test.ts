/** The build removes from dist/ what no source compiles to any more (a removed admin route must not be served). */
import { execFileSync } from "node:child_process";
import { existsSync, mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";

const ROOT = join(import.meta.dirname, "../..");

describe("scripts/prune-dist.mjs", () => {
  it("removes a compiled file whose source is gone and keeps the others", () => {
    const dir = join(ROOT, "dist/admin");
    mkdirSync(dir, { recursive: true });
    const stale = ["gone-test-route.js", "gone-test-route.js.map", "gone-test-route.d.ts"].map((f) => join(dir, f));
    for (const f of stale) writeFileSync(f, "");
    execFileSync(process.execPath, [join(ROOT, "scripts/prune-dist.mjs")]);
    for (const f of stale) expect(existsSync(f), f).toBe(false);
    expect(existsSync(join(dir, "routes.js"))).toBe(true);
    expect(existsSync(join(ROOT, "dist/billing/prices.json"))).toBe(existsSync(join(ROOT, "src/billing/prices.json")));
  });
});
