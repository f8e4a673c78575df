/**
 * The web UI's types of the admin API (ui/src/lib/api-types.ts) are generated from the OpenAPI document the
 * code makes (scripts/admin-types.mjs, openapi-typescript), not copied by hand: the committed file is what
 * the generator writes from today's routes, so a change to an answer's schema that was not regenerated fails
 * here (and a page that no longer fits it fails `tsc -p ui/tsconfig.json`).
 */
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { adminTypes, TYPES_FILE } from "../../scripts/admin-types.mjs";
import { openApiDocument } from "../../src/admin/openapi.js";
import { documentedRoutes } from "../../src/admin/routes.js";

describe("ui/src/lib/api-types.ts", () => {
  it("is what scripts/admin-types.mjs generates from the admin API's document today", async () => {
    const fresh = await adminTypes(openApiDocument(documentedRoutes(), "1"));
    expect(readFileSync(TYPES_FILE, "utf8"), "stale: run `npm run admin-types` and commit the file").toBe(fresh);
  });

  it("names every answer the UI reads", async () => {
    const text = readFileSync(TYPES_FILE, "utf8");
    for (const name of [
      "Team",
      "Key",
      "MintedKey",
      "Me",
      "Deployment",
      "Spend",
      "RequestRow",
      "RequestDetail",
      "Stats",
    ])
      expect(text).toContain(`export type ${name} = components['schemas']['${name}'];`);
  });
});
