import type { IncomingMessage, ServerResponse } from "node:http";
import { OpenAPIHono } from "@hono/zod-openapi";
import type { Context } from "hono";
import type { ContentfulStatusCode } from "hono/utils/http-status";
import type { HttpNote } from "../http/note.js";
import type { BodyLimits } from "../http/read-body.js";
import { AUDITED_REFUSALS, type AuditSink, auditEntryOf, RefusalBudget, refusedEntryOf } from "./audit-record.js";
import { type AdminAuth, addressOf } from "./auth.js";
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
  Variables: {
    self: SelfCaller | undefined;
    path: string;
    actor: Actor;
    /** The caller was refused at the door (401, 403): answered by the route, which records it when a change. */
    refused: AdminError | undefined;
  };
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

/** The caller of a request refused before it was known who they are. */
function unknownActor(req: IncomingMessage): Actor {
  return { name: "unknown", via: "admin_key", source: "api", address: addressOf(req) };
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

  const budget = new RefusalBudget();
  app.use(async (c, next) => {
    if (c.env.note) c.env.note.quiet = false;
    const path = pathOf(c);
    c.set("path", path);
    if (c.env.direct) {
      c.set("self", c.env.direct.self);
      c.set("actor", cliActor());
      return next();
    }
    const req = c.env.incoming!;
    try {
      const self = await auth.who(req, path);
      c.set("self", self);
      const actor = await auth.actor(req);
      // A member signed in is named by their email (never their token).
      const m = self?.member;
      c.set("actor", m ? { ...actor, name: m.email, via: m.via, team: undefined } : actor);
    } catch (err) {
      if (!(err instanceof AdminError)) throw err;
      // Refused at the door: the route answers it (and records it, a change route).
      c.set("refused", err);
      c.set("actor", await auth.actor(req).catch(() => unknownActor(req)));
    }
    await next();
  });

  /** A refused change in the audit log (within the budget: anyone can be refused, the log is never pruned). */
  const recordRefusal = async (r: AdminRoute, c: C, err: AdminError, body: unknown) => {
    if (!r.audit || !audit || !AUDITED_REFUSALS.has(err.status)) return;
    const actor = c.get("actor");
    const { ok, droppedBefore } = budget.take(c.env.incoming?.socket.remoteAddress ?? actor.address ?? "");
    if (droppedBefore > 0 && c.env.note) c.env.note.reason = `${droppedBefore} refused admin actions were not audited`;
    // A log that cannot be written does not change the answer (the refusal is answered as it is).
    if (ok) await audit(refusedEntryOf(r.audit, actor, c.req.param("id"), err.message, body)).catch(() => undefined);
  };

  app.get(OPENAPI_PATH, (c) => {
    const refused = c.get("refused");
    if (refused) throw refused;
    document ??= documentOf(app, version);
    return c.json(document, 200);
  });

  for (const r of routes)
    app.on(r.method, r.path.replace(/\{(\w+)\}/g, ":$1"), async (c) => {
      let raw: unknown;
      try {
        return await serveRoute(r, c, (body) => {
          raw = body;
        });
      } catch (err) {
        if (err instanceof AdminError) await recordRefusal(r, c, err, raw);
        throw err;
      }
    });

  /** One route's call: checked, scoped, run, and recorded when a change. */
  async function serveRoute(r: AdminRoute, c: C, read: (body: unknown) => void): Promise<Response> {
    const refused = c.get("refused");
    if (refused) throw refused;
    const incoming = c.env.incoming;
    // A self-service route is the caller's own, whoever they are: no team admin's gate.
    const team = r.auth === "self" ? undefined : c.get("actor").team;
    refuseUnscoped(r, team);
    const raw = r.body
      ? await jsonBody(incoming ? incomingBody(incoming, limits) : async () => Buffer.from(await c.req.arrayBuffer()))
      : undefined;
    read(raw);
    const body = r.body ? checked(r.body, raw, "body") : {};
    const query = r.query ? checked(r.query, Object.fromEntries(new URL(c.req.url).searchParams), "query") : {};
    const self = c.get("self");
    if (r.auth === "self" && !self)
      throw new AdminError(403, "self-service routes take a minted key (lx-…), not an admin key");
    const params = c.req.param() as Record<string, string>;
    const id = params.id;
    const scope = team !== undefined ? await teamGate(r, team, id, body, query) : undefined;
    const before = r.audit?.read ? await r.audit.read(id ?? "", query, params) : undefined;
    const out = await r.run({
      params,
      body,
      query,
      self,
      scope,
      actor: c.get("actor"),
    });
    if (out === undefined) throw new AdminError(404, `no such id: ${id}`);
    if (r.audit && audit) await audit(auditEntryOf(r.audit, c.get("actor"), id, before, out));
    return c.json(out as object, r.status as ContentfulStatusCode);
  }

  // A path the table has, asked with another method.
  for (const path of new Set(routes.map((r) => r.path)))
    app.all(path.replace(/\{(\w+)\}/g, ":$1"), (c) =>
      refusal(c, c.get("refused") ?? new AdminError(405, `${c.req.method} is not allowed on ${c.get("path")}`)),
    );

  app.notFound((c) =>
    refusal(c, c.get("refused") ?? new AdminError(404, `no admin route ${c.get("path") ?? pathOf(c)}`)),
  );
  app.onError((err, c) => {
    if (err instanceof AdminError) return refusal(c, err);
    throw err;
  });
  return app;
}
