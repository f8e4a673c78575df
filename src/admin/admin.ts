import type { IncomingMessage, ServerResponse } from "node:http";
import { getRequestListener, RequestError } from "@hono/node-server";
import type { OpenAPIHono } from "@hono/zod-openapi";
import type { AdminKey } from "../config/admin-keys.js";
import type { HttpNote } from "../http/note.js";
import { type BodyLimits, discardBody } from "../http/read-body.js";
import { type AdminEnv, adminApp } from "./app.js";
import type { AuditSink } from "./audit-record.js";
import { AdminAuth, type AdminSession, type SelfKey, type TeamRef } from "./auth.js";
import { documentOf, type OpenApiDocument } from "./openapi.js";
import { AdminError, type AdminRoute, type SelfCaller } from "./route.js";

/**
 * `/admin/v1`: the admin API (src/admin/app.ts, on Hono), served to node:http requests and called in process
 * by the CLI. Bearer admin keys or a web UI sign-in (src/admin/auth.ts), JSON in and out, errors that name the
 * field.
 */
export class AdminApi {
  private readonly app: OpenAPIHono<AdminEnv>;
  private readonly auth: AdminAuth;

  constructor(
    routes: readonly AdminRoute[],
    adminKeys: readonly AdminKey[],
    /** Whether a key is one clients use (a config key, a minted key). */
    isClientKey: (key: string) => boolean | Promise<boolean>,
    private readonly limits: BodyLimits,
    private readonly version = "1",
    self?: SelfKey,
    audit?: AuditSink,
    /** A team admin's team (configured by id or name) as its id. */
    teamRef?: TeamRef,
  ) {
    this.auth = new AdminAuth(adminKeys, isClientKey, self, teamRef);
    this.app = adminApp(routes, this.auth, limits, version, audit);
  }

  /** A web UI sign-in carried by a request without a key (set when the web UI is on). */
  set sessions(fn: ((req: IncomingMessage) => Promise<AdminSession | undefined>) | undefined) {
    this.auth.sessions = fn;
  }

  /** Whether a path belongs to the admin API. */
  static owns(path: string): boolean {
    return path === "/admin" || path.startsWith("/admin/");
  }

  /** Whether a path is a self-service route (a minted key signs in, not an admin key). */
  static isSelf(path: string): boolean {
    return AdminAuth.isSelf(path);
  }

  /**
   * Serves one node:http request. `note` (the request's log note) gets the refusal's words; an error that is
   * not the API's own is thrown to the caller, which answers 500 and logs it.
   */
  async serve(req: IncomingMessage, res: ServerResponse, note: HttpNote = {}): Promise<void> {
    let failure: { err: unknown } | undefined;
    const listener = getRequestListener((request, env) => this.app.fetch(request, { ...env, note }), {
      // Nothing global is replaced (the generation path uses the platform's own Request and Response), and a
      // body left unread is discarded below, within llmux's own body limits.
      overrideGlobalObjects: false,
      autoCleanupIncoming: false,
      hostname: "localhost",
      errorHandler: (err) => {
        if (err instanceof RequestError) return new Response(null, { status: 400 });
        failure = { err };
      },
    });
    try {
      await listener(req, res);
    } finally {
      // A body not read (a refused key, an unknown route) is discarded as it arrives, within the body limits.
      discardBody(req, this.limits);
    }
    if (failure) throw failure.err;
  }

  /**
   * One admin call in process, already authorised (the CLI, talking to the store directly): the same router,
   * schemas and answers as over HTTP. Throws AdminError with the API's words.
   */
  async call(
    method: string,
    path: string,
    body?: unknown,
    query: Record<string, string> = {},
    self?: SelfCaller,
  ): Promise<{ status: number; body: unknown }> {
    const url = new URL(path, "http://localhost");
    for (const [k, v] of Object.entries(query)) url.searchParams.set(k, v);
    const init = { method, ...(body !== undefined && method !== "GET" ? { body: JSON.stringify(body) } : {}) };
    const res = await this.app.request(url, init, { direct: { self } });
    const out = (await res.json()) as { error?: { message: string; field?: string } };
    if (!res.ok) throw new AdminError(res.status, out.error?.message ?? res.statusText, out.error?.field);
    return { status: res.status, body: out };
  }

  /** The OpenAPI 3.1 document, as GET /admin/v1/openapi.json answers it. */
  document(): OpenApiDocument {
    return documentOf(this.app, this.version);
  }
}
