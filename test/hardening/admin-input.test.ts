/**
 * The admin API answers bad input with a 400 naming it, never a 500: a key moved into a team that does not
 * exist, an id that is not percent-encoded properly.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ENGINES, type TestLocation } from "../support/engines.js";
import type { Harness } from "../support/gateway.js";
import { ADMIN, admin, teamHarness } from "../support/team.js";

describe.each(ENGINES)("admin API input on $engine", ({ fresh }) => {
  let where: TestLocation;
  let h: Harness;
  beforeAll(async () => {
    where = await fresh();
    h = await teamHarness(where);
  });
  afterAll(async () => {
    await h.close();
    await where.drop();
  });

  it("PATCH a key into an unknown team is a 400 naming team_id, and the key is unchanged", async () => {
    const k = await admin(h, "POST", "/keys", { name: "mover" });
    expect(k.status).toBe(201);
    const r = await admin(h, "PATCH", `/keys/${k.body.id}`, { team_id: "team_does_not_exist" });
    expect(r.status).toBe(400);
    expect(JSON.stringify(r.body)).toContain("team_id");
    expect((await admin(h, "GET", `/keys/${k.body.id}`)).body.team_id).toBeNull();
  });

  it("an id that is not valid percent-encoding is a 400 or 404, not a 500", async () => {
    const minted = await admin(h, "POST", "/keys", { name: "self" });
    for (const key of [ADMIN, minted.body.key as string])
      for (const path of ["/admin/v1/keys/%ZZ", "/admin/v1/teams/%E0%A4%A", "/admin/v1/keys/%", "/admin/v1/me/%ZZ"]) {
        const res = await fetch(`${h.url}${path}`, { headers: { authorization: `Bearer ${key}` } });
        await res.arrayBuffer();
        expect([400, 403, 404], path).toContain(res.status);
      }
  });
});
