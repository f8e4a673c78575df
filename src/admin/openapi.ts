import { OpenAPIHono, type RouteConfig } from "@hono/zod-openapi";
import { z } from "zod";
import type { AdminRoute } from "./route.js";
import { ErrorBody } from "./schemas.js";

type Registry = OpenAPIHono["openAPIRegistry"];
/** The OpenAPI 3.1 document, as @hono/zod-openapi writes it. */
export type OpenApiDocument = ReturnType<OpenAPIHono["getOpenAPI31Document"]>;

/** The path of the document itself (answered by the admin API, listed in the document). */
export const OPENAPI_PATH = "/admin/v1/openapi.json";

const error = (description: string) => ({ description, content: { "application/json": { schema: ErrorBody } } });

/** The parameters of a path (`{id}`, `{name}`), each a string. */
const paramsOf = (path: string) =>
  z.object(Object.fromEntries([...path.matchAll(/\{(\w+)\}/g)].map((m) => [m[1]!, z.string()])));

/** `getKeysIdRotate` from `POST /admin/v1/keys/{id}/rotate`: the operation ids the document has always had. */
function operationId(r: AdminRoute): string {
  const rest = r.path
    .replace(/\/admin\/v1/, "")
    .replace(/[{}]/g, "")
    .replace(/\/(\w)/g, (_, c: string) => c.toUpperCase());
  return `${r.method.toLowerCase()}${rest}`;
}

/** One route as @hono/zod-openapi describes it: its zod schemas become the operation's parameters and bodies. */
export function routeConfig(r: AdminRoute): RouteConfig {
  const self = r.auth === "self";
  return {
    method: r.method.toLowerCase() as RouteConfig["method"],
    path: r.path,
    summary: r.summary,
    operationId: operationId(r),
    security: [{ [self ? "mintedKey" : "adminKey"]: [] }],
    request: {
      ...(r.path.includes("{") ? { params: paramsOf(r.path) } : {}),
      ...(r.query ? { query: r.query } : {}),
      ...(r.body ? { body: { required: true, content: { "application/json": { schema: r.body } } } } : {}),
    },
    responses: {
      [String(r.status)]: { description: "OK", content: { "application/json": { schema: r.answer } } },
      "400": error("Invalid body or query: the error names the field."),
      ...(self
        ? {
            "401": error("Missing, unknown, revoked, disabled or expired minted key."),
            "403": error("An admin or service key was presented: self-service routes need a minted key."),
          }
        : {
            "401": error("Missing or wrong admin key."),
            "403": error("A service or minted key was presented: admin routes need an admin key."),
          }),
      ...(r.byId ? { "404": error("No such id.") } : {}),
    },
  };
}

/** Describes the routes (and the document's own path and the two kinds of bearer key) in a registry. */
export function describeRoutes(registry: Registry, routes: readonly AdminRoute[]): void {
  registry.registerComponent("securitySchemes", "adminKey", { type: "http", scheme: "bearer" });
  registry.registerComponent("securitySchemes", "mintedKey", {
    type: "http",
    scheme: "bearer",
    description: "A minted key (lx-…): self-service routes.",
  });
  for (const r of routes) registry.registerPath(routeConfig(r));
  registry.registerPath({
    method: "get",
    path: OPENAPI_PATH,
    summary: "This document",
    operationId: "getOpenapi",
    security: [{ adminKey: [] }],
    responses: { "200": { description: "The OpenAPI 3.1 document of the admin API" } },
  });
}

/** The OpenAPI 3.1 document of an app whose routes were described (its info names the API's version). */
export function documentOf(app: Pick<OpenAPIHono, "getOpenAPI31Document">, version: string): OpenApiDocument {
  return app.getOpenAPI31Document({ openapi: "3.1.0", info: { title: "llmux admin API", version } });
}

/** The OpenAPI 3.1 document of a route table, made without serving it (scripts/admin-types.mjs uses this). */
export function openApiDocument(routes: readonly AdminRoute[], version: string): OpenApiDocument {
  const app = new OpenAPIHono();
  describeRoutes(app.openAPIRegistry, routes);
  return documentOf(app, version);
}
