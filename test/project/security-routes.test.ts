/**
 * docs/security.md has a row for every route llmux serves: the gateway's route table (its paths and patterns,
 * the cloud fronts), Responses over WebSocket, the MCP endpoint, the admin API's table, sign-in, the web UI's
 * sign-in and sign-up. A route added without its row (who may reach it, what bounds it) fails here; a row whose
 * route is gone fails too.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { OPENAPI_PATH } from "../../src/admin/openapi.js";
import { documentedRoutes } from "../../src/admin/routes.js";
import { SIGNUP_PATH } from "../../src/admin/signup-path.js";
import { METRICS_PATH } from "../../src/observe/metrics-endpoint.js";
import { CLOUD_PATTERNS } from "../../src/server/cloud-routes.js";
import { matchRoute, ROUTE_TABLE } from "../../src/server/routes.js";
import { SIGNIN_PATHS } from "../../src/signin/signin.js";

const ROOT = join(import.meta.dirname, "..", "..");
const doc = readFileSync(join(ROOT, "docs/security.md"), "utf8");
const source = (file: string) => readFileSync(join(ROOT, "src", file), "utf8");

/** Every row's route: `METHOD /path` in the first cell of a table row. */
const rows = [...doc.matchAll(/^\| `((?:GET|POST|PUT|PATCH|DELETE|HEAD|WS) \/[^`]*)` \|/gm)].map((m) => m[1]!);
const documented = new Set(rows);
/** A row's path with each `{placeholder}` filled in, as a request would name it. */
const sample = (path: string) => path.replace(/\{[^}]+\}/g, "x");
const pathOf = (row: string) => row.slice(row.indexOf(" ") + 1);
const missing = (wanted: string[]) => wanted.filter((r) => !documented.has(r));

describe("docs/security.md has a row for every route", () => {
  it("finds the route rows", () => {
    expect(rows.length).toBeGreaterThan(100);
    expect(rows.length, "a route has two rows").toBe(documented.size);
  });

  it("every path of the gateway's route table", () => {
    const wanted = [
      ...Object.keys(ROUTE_TABLE.post).map((p) => `POST ${p}`),
      ...Object.keys(ROUTE_TABLE.get).map((p) => `GET ${p}`),
    ];
    expect(missing(wanted)).toEqual([]);
  });

  it("every pattern of the gateway's route table, and no pattern the table leaves out", () => {
    const patterns = [...ROUTE_TABLE.patterns, ...CLOUD_PATTERNS];
    const unmatched = patterns.filter((re) => !rows.some((r) => re.test(sample(pathOf(r)))));
    expect(unmatched.map(String)).toEqual([]);
    // A pattern declared in the route files but not in their tables would escape the check above.
    const declared = ["server/routes.ts", "server/cloud-routes.ts"].flatMap(
      (f) => source(f).match(/^const [A-Z_]+ =\s*\/\^/gm) ?? [],
    );
    expect(declared).toHaveLength(patterns.length);
  });

  it("every gateway row names a route llmux serves", () => {
    const others = [
      (p: string) => p.startsWith("/admin/") || p.startsWith("/ui/"),
      (p: string) => SIGNIN_PATHS.has(p) || p === SIGNUP_PATH || p === METRICS_PATH,
    ];
    const stale = rows.filter((r) => {
      const [method, path] = [r.slice(0, r.indexOf(" ")), pathOf(r)];
      if (others.some((o) => o(path))) return false;
      return matchRoute(method === "WS" ? "POST" : method, sample(path)) === undefined;
    });
    expect(stale).toEqual([]);
  });

  it("Responses over WebSocket on every Responses path", () => {
    const wanted = Object.entries(ROUTE_TABLE.post)
      .filter(([, m]) => m.dialect === "openai-responses")
      .map(([p]) => `WS ${p}`);
    expect(wanted.length).toBeGreaterThan(0);
    expect(missing(wanted)).toEqual([]);
    expect(rows.filter((r) => r.startsWith("WS ")).sort()).toEqual(wanted.sort());
  });

  it("every route of the admin API's table, and its OpenAPI document", async () => {
    const admin = (await documentedRoutes()).map((r) => `${r.method} ${r.path}`);
    expect(missing([...admin, `GET ${OPENAPI_PATH}`])).toEqual([]);
    const gone = rows.filter((r) => pathOf(r).startsWith("/admin/") && ![...admin, `GET ${OPENAPI_PATH}`].includes(r));
    expect(gone).toEqual([]);
  });

  it("every sign-in path, the web UI's sign-in, sign-up and /metrics", () => {
    const signin = [...SIGNIN_PATHS].filter((p) => !rows.some((r) => pathOf(r) === p));
    expect(signin).toEqual([]);
    const ui = [...source("admin/ui-auth.ts").matchAll(/case "((?:GET|POST) \/ui\/auth\/[^"]+)"/g)].map((m) => m[1]!);
    expect(ui.length).toBeGreaterThan(0);
    expect(missing([...ui, "GET /ui/{file}", `POST ${SIGNUP_PATH}`, `GET ${METRICS_PATH}`])).toEqual([]);
  });
});
