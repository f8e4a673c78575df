/**
 * The admin API's route modules are listed in src/admin/routes.ts (the built command is one bundle: it has no
 * folder of modules to read at run time). Every `*-route.ts` / `*-routes.ts` of src/admin that exports `admin`
 * is in that list, once, in the order of the files' names, and nothing else is.
 */
import { readdirSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import type { AdminModule } from "../../src/admin/route.js";
import { ROUTE_MODULES } from "../../src/admin/routes.js";

const ADMIN = join(import.meta.dirname, "../../src/admin");

async function exported(): Promise<{ file: string; admin: AdminModule<never> }[]> {
  const files = readdirSync(ADMIN)
    .filter((f) => /-routes?\.ts$/.test(f))
    .sort();
  const out: { file: string; admin: AdminModule<never> }[] = [];
  for (const file of files) {
    const m = (await import(join(ADMIN, file))) as { admin?: AdminModule<never> };
    if (m.admin) out.push({ file, admin: m.admin });
  }
  return out;
}

describe("the admin API's route modules", () => {
  it("lists every route module that exports `admin`, in the order of their file names, each once", async () => {
    const found = await exported();
    // The folder has route modules (a wrong folder would make the comparison empty on both sides).
    expect(found.length).toBeGreaterThan(15);
    const missing = found.filter((f) => !ROUTE_MODULES.includes(f.admin)).map((f) => f.file);
    expect(missing).toEqual([]);
    expect(ROUTE_MODULES).toEqual(found.map((f) => f.admin));
    expect(new Set(ROUTE_MODULES).size).toBe(ROUTE_MODULES.length);
  });
});
