import type { IncomingMessage, ServerResponse } from "node:http";
import { OpenAPIHono } from "@hono/zod-openapi";
import type { Context } from "hono";
import type { ContentfulStatusCode } from "hono/utils/http-status";
import type { HttpNote } from "../http/note.js";
import type { BodyLimits } from "../http/read-body.js";
import { type AuditSink, auditEntryOf } from "./audit-record.js";
import type { AdminAuth } from "./auth.js";
import { checked, incomingBody, jsonBody } from "./input.js";
import { describeRoutes, documentOf, OPENAPI_PATH, type OpenApiDocument } from "./openapi.js";
import { type Actor, AdminError, type AdminRoute, cliActor, type SelfCaller } from "./route.js";
import { refuseUnscoped, teamGate } from "./team-gate.js";

/** What a request brings to the admin app besides itself. */
export interface AdminBindings {
  /** The node request and response (from @hono/node-server); absent for an in-process call. */
  incoming?: IncomingMessage;
  outgoing?: ServerResponse;
  /** The request's log note (quiet, the refusal's reason). */
  note?: HttpNote;
  /** An in-process call (the CLI, on the store directly): authorised by its caller, as this key when self-service. */
  direct?: { self?: SelfCaller | undefined };
}

export interface AdminEnv {
  Bindings: AdminBindings;
  Variables: { self: SelfCaller | undefined; path: string; actor: Actor };
}

type C = Context<AdminEnv>;

/** The error body every refusal has: `{error: {message, type, field?}}`, its type named after the status. */
function refusal(c: C, err: AdminError): Response {
  const type =
    err.status === 401
      ? "authentication_error"
      : err.status === 403
        ? "permission_error"
        : err.status === 404
          ? "not_found"
          : "invalid_request_error";
  if (c.env.note) c.env.note.reason = err.message;
  const body = { error: { message: err.message, type, ...(err.field ? { field: err.field } : {}) } };
  return c.json(body, err.status as ContentfulStatusCode);
}

/** The path as the client wrote it (for the words of a 404 or 405). */
function pathOf(c: C): string {
  const url = c.env.incoming?.url;
  return url === undefined ? c.req.path : url.split("?")[0]!;
}

/**
 * The admin API as a Hono app: each route of the table is served at its path and described (with its zod
 * schemas) in the OpenAPI registry the document is generated from. Every request is authorised first; a body
 * is read only for a route that takes one, within the body limits; bodies and queries are checked with the
 * route's schemas, and a refusal names the field at fault.
 */
export function adminApp(
  routes: readonly AdminRoute[],
  auth: AdminAuth,
  limits: BodyLimits,
  version: string,
  /** Where changes are recorded (the audit log); none: not recorded (the OpenAPI document alone). */
  audit?: AuditSink,
): OpenAPIHono<AdminEnv> {
  const app = new OpenAPIHono<AdminEnv>();
  describeRoutes(app.openAPIRegistry, routes);
  let document: OpenApiDocument | undefined;

  app.use(async (c, next) => {
    if (c.env.note) c.env.note.quiet = false;
    const path = pathOf(c);
    c.set("path", path);
    c.set("self", c.env.direct ? c.env.direct.self : await auth.who(c.env.incoming!, path));
    c.set("actor", c.env.direct ? cliActor() : await auth.actor(c.env.incoming!));
    await next();
  });

  app.get(OPENAPI_PATH, (c) => {
    document ??= documentOf(app, version);
    return c.json(document, 200);
  });

  for (const r of routes)
    app.on(r.method, r.path.replace(/\{(\w+)\}/g, ":$1"), async (c) => {
      const incoming = c.env.incoming;
      refuseUnscoped(r, c.get("actor").team);
      const raw = r.body
        ? await jsonBody(incoming ? incomingBody(incoming, limits) : async () => Buffer.from(await c.req.arrayBuffer()))
        : undefined;
      const body = r.body ? checked(r.body, raw, "body") : {};
      const query = r.query ? checked(r.query, Object.fromEntries(new URL(c.req.url).searchParams), "query") : {};
      const self = c.get("self");
      if (r.auth === "self" && !self)
        throw new AdminError(403, "self-service routes take a minted key (lx-…), not an admin key");
      const id = c.req.param("id");
      const team = c.get("actor").team;
      const scope = team !== undefined ? await teamGate(r, team, id, body, query) : undefined;
      const before = r.audit?.read ? await r.audit.read(id ?? "", query) : undefined;
      const out = await r.run({ params: id === undefined ? {} : { id }, body, query, self, scope });
      if (out === undefined) throw new AdminError(404, `no such id: ${id}`);
      if (r.audit && audit) await audit(auditEntryOf(r.audit, c.get("actor"), id, before, out));
      return c.json(out as object, r.status as ContentfulStatusCode);
    });

  // A path the table has, asked with another method.
  for (const path of new Set(routes.map((r) => r.path)))
    app.all(path.replace(/\{(\w+)\}/g, ":$1"), (c) =>
      refusal(c, new AdminError(405, `${c.req.method} is not allowed on ${c.get("path")}`)),
    );

  app.notFound((c) => refusal(c, new AdminError(404, `no admin route ${c.get("path") ?? pathOf(c)}`)));
  app.onError((err, c) => {
    if (err instanceof AdminError) return refusal(c, err);
    throw err;
  });
  return app;
}
