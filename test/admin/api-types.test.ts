/**
 * The web UI's types of the admin API (ui/src/lib/api-types.ts) are generated from the OpenAPI document the
 * code makes (scripts/admin-types.mjs, openapi-typescript), not copied by hand: `npm run typecheck` writes
 * them from today's routes before it checks the UI against them, so a page that no longer fits an answer's
 * schema fails `tsc -p ui/tsconfig.json`.
 */
import { describe, expect, it } from "vitest";
import { adminTypes } from "../../scripts/admin-types.mjs";
import { openApiDocument } from "../../src/admin/openapi.js";
import { documentedRoutes } from "../../src/admin/routes.js";

describe("ui/src/lib/api-types.ts", () => {
  it("names every answer the UI reads", async () => {
    const text = await adminTypes(openApiDocument(await documentedRoutes(), "1"));
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
