import { z } from "zod";
import type { AdminRoute } from "./route.js";
import { ErrorBody } from "./schemas.js";

type Node = Record<string, unknown>;

const schemaOf = (s: z.ZodType, io: "input" | "output"): Node => {
  const out = z.toJSONSchema(s, { target: "draft-2020-12", io, unrepresentable: "any" }) as Node;
  delete out.$schema;
  return out;
};

const error = (description: string) => ({
  description,
  content: { "application/json": { schema: schemaOf(ErrorBody, "output") } },
});

/** The OpenAPI 3.1 document of the admin API, made from the route table and its zod schemas. */
export function openApiDocument(routes: readonly AdminRoute[], version: string): Node {
  const paths: Record<string, Record<string, Node>> = {};
  for (const r of routes) {
    const op: Node = {
      summary: r.summary,
      operationId: `${r.method.toLowerCase()}${r.path
        .replace(/\/admin\/v1/, "")
        .replace(/[{}]/g, "")
        .replace(/\/(\w)/g, (_, c: string) => c.toUpperCase())}`,
      security: [{ [r.auth === "self" ? "mintedKey" : "adminKey"]: [] }],
      responses: {
        [String(r.status)]: {
          description: "OK",
          content: { "application/json": { schema: schemaOf(r.answer, "output") } },
        },
        "400": error("Invalid body or query: the error names the field."),
        ...(r.auth === "self"
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
    const params: Node[] = [];
    if (r.path.includes("{id}")) params.push({ name: "id", in: "path", required: true, schema: { type: "string" } });
    if (r.query) {
      const q = schemaOf(r.query, "input") as { properties?: Record<string, Node>; required?: string[] };
      for (const [name, schema] of Object.entries(q.properties ?? {}))
        params.push({ name, in: "query", required: q.required?.includes(name) ?? false, schema });
    }
    if (params.length > 0) op.parameters = params;
    if (r.body)
      op.requestBody = { required: true, content: { "application/json": { schema: schemaOf(r.body, "input") } } };
    paths[r.path] ??= {};
    paths[r.path]![r.method.toLowerCase()] = op;
  }
  paths["/admin/v1/openapi.json"] = {
    get: {
      summary: "This document",
      operationId: "getOpenapi",
      security: [{ adminKey: [] }],
      responses: { "200": { description: "The OpenAPI 3.1 document of the admin API" } },
    },
  };
  return {
    openapi: "3.1.0",
    info: { title: "llmux admin API", version },
    components: {
      securitySchemes: {
        adminKey: { type: "http", scheme: "bearer" },
        mintedKey: { type: "http", scheme: "bearer", description: "A minted key (lx-…): self-service routes." },
      },
    },
    paths,
  };
}
