/** The admin API's edges: who may call it, errors naming the field, 404s, and its OpenAPI document. */
import { compileErrors, validate } from "@readme/openapi-parser";
import { Ajv2020 } from "ajv/dist/2020.js";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ENGINES, type TestLocation } from "../support/engines.js";
import type { Harness } from "../support/gateway.js";
import { admin, call, SERVICE, teamHarness } from "../support/team.js";

describe.each(ENGINES)("admin API on $engine", ({ fresh }) => {
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

  it("401 without or with a wrong admin key, 403 with a service or minted key", async () => {
    expect((await call(h.url, "GET", "/admin/v1/teams")).status).toBe(401);
    expect((await call(h.url, "GET", "/admin/v1/teams", "wrong-key")).status).toBe(401);
    expect((await call(h.url, "GET", "/admin/v1/teams", SERVICE)).status).toBe(403);
    const minted = await admin(h, "POST", "/keys", { name: "k" });
    const r = await call(h.url, "GET", "/admin/v1/teams", minted.body.key);
    expect(r.status).toBe(403);
    expect(r.body.error.type).toBe("permission_error");
  });

  it("invalid bodies answer 400 naming the field; unknown ids 404", async () => {
    const cases: [string, string, unknown, string][] = [
      ["POST", "/keys", {}, "name"],
      ["POST", "/keys", { name: "x", budget: { usd: 5, period: "year" } }, "budget.period"],
      ["POST", "/keys", { name: "x", expires_at: "tomorrow" }, "expires_at"],
      ["POST", "/keys", { name: "x", colour: "red" }, "colour"],
      ["POST", "/keys", { name: "x", team_id: "team_missing" }, "team_id"],
      ["POST", "/teams", { name: "t", limits: { rpm: -1 } }, "limits.rpm"],
      ["PATCH", "/keys/whatever", { disabled: "yes" }, "disabled"],
    ];
    for (const [method, path, body, field] of cases) {
      const r = await admin(h, method, path, body);
      expect(r.status, `${method} ${path} ${JSON.stringify(body)}`).toBe(400);
      expect(r.body.error.field).toBe(field);
      expect(r.body.error.message).toContain(field);
    }
    expect((await admin(h, "POST", "/keys", "{not json")).status).toBe(400);
    for (const [method, path] of [
      ["GET", "/keys/key_nope"],
      ["PATCH", "/keys/key_nope"],
      ["DELETE", "/keys/key_nope"],
      ["POST", "/keys/key_nope/rotate"],
      ["GET", "/teams/team_nope"],
      ["DELETE", "/teams/team_nope"],
    ] as const)
      expect((await admin(h, method, path, method === "GET" || method === "DELETE" ? undefined : {})).status).toBe(404);
  });

  it("teams: create, list, change, delete (its keys are revoked)", async () => {
    const t = await admin(h, "POST", "/teams", {
      name: "data",
      models: ["via-*"],
      budget: { usd: 12.5, period: "month" },
      limits: { rpm: 60 },
    });
    expect(t.status).toBe(201);
    expect(t.body).toMatchObject({ name: "data", budget: { usd: 12.5, period: "month" }, limits: { rpm: 60 } });
    expect((await admin(h, "POST", "/teams", { name: "data" })).status).toBe(409);
    const p = await admin(h, "PATCH", `/teams/${t.body.id}`, { models: ["via-compat"] });
    expect(p.body.models).toEqual(["via-compat"]);
    const list = await admin(h, "GET", "/teams");
    expect(list.body.data.map((x: { name: string }) => x.name)).toContain("data");
    const k = await admin(h, "POST", "/keys", { name: "member", team_id: t.body.id });
    expect((await admin(h, "DELETE", `/teams/${t.body.id}`)).status).toBe(200);
    expect((await admin(h, "GET", `/teams/${t.body.id}`)).status).toBe(404);
    expect(
      (await call(h.url, "POST", "/v1/chat/completions", k.body.key, { model: "via-compat", messages: [] })).status,
    ).toBe(401);
  });

  it("GET /admin/v1/openapi.json is a valid OpenAPI 3.1 document listing every admin route", async () => {
    const r = await admin(h, "GET", "/openapi.json");
    expect(r.status).toBe(200);
    const doc = r.body;
    // A validator nobody here wrote: the OpenAPI 3.1 schema, plus the spec's own rules.
    const result = await validate(structuredClone(doc));
    expect(result.valid, compileErrors(result)).toBe(true);
    // Broken on purpose, the same validator refuses it (it can fail).
    const broken = structuredClone(doc);
    broken.paths["/admin/v1/keys"].post.responses = "none";
    expect((await validate(broken)).valid).toBe(false);
    // Each operation's schemas compile as JSON Schema 2020-12.
    const operations: string[] = [];
    for (const [path, ops] of Object.entries(
      doc.paths as Record<string, Record<string, { requestBody?: { content: Record<string, { schema: object }> } }>>,
    ))
      for (const [method, op] of Object.entries(ops)) {
        operations.push(`${method.toUpperCase()} ${path}`);
        if (op.requestBody) new Ajv2020({ strict: false }).compile(op.requestBody.content["application/json"]!.schema);
      }
    // The contract, as the snapshot beside this file keeps it: a new route shows in its diff (`npx vitest run <this file> --update`
    // this file, and review it).
    expect(operations.sort()).toMatchSnapshot();
    // And every route the server has is in it: each answers something other than "no admin route".
    for (const op of operations) {
      const [method, path] = op.split(" ") as [string, string];
      const res = await call(
        h.url,
        method,
        path.replace("{id}", "x"),
        "admin-key-0123456789abcdef",
        method === "GET" || method === "DELETE" ? undefined : {},
      );
      expect(JSON.stringify(res.body)).not.toContain("no admin route");
    }
  });
});
