import { createHash, timingSafeEqual } from "node:crypto";
import type { IncomingMessage } from "node:http";
import type { z } from "zod";
import { decodeJson } from "../http/decode-json.js";
import { answerJson, type HttpExchange as Exchange } from "../http/exchange.js";
import { type BodyLimits, BodyRefused, discardBody, readBody } from "../http/read-body.js";
import { presentedKey } from "../identity/identify.js";
import { openApiDocument } from "./openapi.js";
import { AdminError, type AdminRoute } from "./route.js";
import type { AdminSession } from "./ui.js";

const sha256 = (s: string) => createHash("sha256").update(s).digest();

interface Compiled {
  route: AdminRoute;
  re: RegExp;
}

/** The first problem zod found, as a field path (`budget.period`) and words. */
function firstIssue(err: z.ZodError, where: "body" | "query"): AdminError {
  const issue = err.issues[0]!;
  let path = issue.path.join(".");
  if (issue.code === "unrecognized_keys") path = [...issue.path, ...issue.keys].join(".");
  const field = path || undefined;
  return new AdminError(400, `${field ? `${field}: ` : `${where}: `}${issue.message}`, field);
}

/** What a web UI sign-in may do: admins change things (from the page only), read-only sign-ins look. */
function admitSession(method: string, s: AdminSession): void {
  if (method === "GET" || method === "HEAD") return;
  if (!s.fromPage)
    throw new AdminError(403, "a change made with a web UI sign-in must come from the page (the x-llmux-ui: 1 header)");
  if (s.role === "read_only") throw new AdminError(403, `${s.name} is signed in read-only: it can look, not change`);
}

/**
 * `/admin/v1`: bearer admin keys (`admin.keys`, compared in constant time), JSON in and out, errors that name
 * the field. A service or minted key on an admin route is told apart from a wrong one (403, not 401).
 */
export class AdminApi {
  private readonly compiled: Compiled[];
  private readonly keys: Buffer[];
  private document: unknown;
  /** A web UI sign-in carried by a request without a key (set when the web UI is on). */
  sessions: ((req: IncomingMessage) => AdminSession | undefined) | undefined;

  constructor(
    private readonly routes: readonly AdminRoute[],
    adminKeys: readonly string[],
    /** Whether a key is one clients use (a config key, a minted key). */
    private readonly isClientKey: (key: string) => boolean | Promise<boolean>,
    private readonly limits: BodyLimits,
    private readonly version = "1",
    /** Self-service: the minted key a presented key is (its id), or why it is refused. */
    private readonly self?: (key: string) => Promise<{ keyId: string } | { refused: string } | undefined>,
  ) {
    this.keys = adminKeys.map(sha256);
    this.compiled = routes.map((route) => ({
      route,
      re: new RegExp(`^${route.path.replace(/\{id\}/g, "([^/]+)")}$`),
    }));
  }

  /** Whether a path belongs to the admin API. */
  static owns(path: string): boolean {
    return path === "/admin" || path.startsWith("/admin/");
  }

  /** Whether a path is a self-service route (a minted key signs in, not an admin key). */
  static isSelf(path: string): boolean {
    return path === "/admin/v1/me" || path.startsWith("/admin/v1/me/");
  }

  async serve(ex: Exchange, path: string): Promise<void> {
    ex.note.quiet = false;
    try {
      const self = AdminApi.isSelf(path) ? await this.authoriseSelf(ex) : await this.authorise(ex);
      const method = ex.req.method ?? "GET";
      const route = this.find(method, path);
      const body = route?.route.body ? await this.readJson(ex) : undefined;
      const query = Object.fromEntries(new URL(ex.req.url ?? "/", "http://x").searchParams);
      const out = await this.call(method, path, body, query, self);
      return answerJson(ex, out.status, out.body);
    } catch (err) {
      if (!(err instanceof AdminError)) throw err;
      const type =
        err.status === 401
          ? "authentication_error"
          : err.status === 403
            ? "permission_error"
            : err.status === 404
              ? "not_found"
              : "invalid_request_error";
      answerJson(ex, err.status, { error: { message: err.message, type, ...(err.field ? { field: err.field } : {}) } });
      ex.note.reason = err.message;
    } finally {
      // A body not read (a refused key, an unknown route) is discarded as it arrives, within the body limits.
      discardBody(ex.req, this.limits);
    }
  }

  /** Self-service: a valid minted key, which every answer is then scoped to. */
  private async authoriseSelf(ex: Exchange): Promise<{ keyId: string }> {
    const key = presentedKey(ex.req.headers);
    if (this.keys.length === 0 && !this.sessions) throw new AdminError(404, "the admin API is off (set admin.keys)");
    if (key === undefined) throw new AdminError(401, "a minted key is required: Authorization: Bearer lx-…");
    const found = this.self ? await this.self(key) : undefined;
    if (found && "keyId" in found) return found;
    if (found) throw new AdminError(401, found.refused);
    const d = sha256(key);
    if (this.keys.some((k) => timingSafeEqual(k, d)) || (await this.isClientKey(key)))
      throw new AdminError(
        403,
        "self-service routes (/admin/v1/me…) take a minted key (lx-…): they show one key's own data",
      );
    throw new AdminError(401, "the key is not a minted llmux key");
  }

  private async authorise(ex: Exchange): Promise<undefined> {
    const session = this.sessions?.(ex.req);
    if (session) {
      admitSession(ex.req.method ?? "GET", session);
      return undefined;
    }
    const key = presentedKey(ex.req.headers);
    if (this.keys.length === 0 && !this.sessions) throw new AdminError(404, "the admin API is off (set admin.keys)");
    if (key === undefined) throw new AdminError(401, "an admin key is required: Authorization: Bearer <admin key>");
    const d = sha256(key);
    let ok = false;
    for (const k of this.keys) ok = timingSafeEqual(k, d) || ok;
    if (ok) return undefined;
    if (await this.isClientKey(key))
      throw new AdminError(403, "this is a client key; admin routes need one of admin.keys");
    throw new AdminError(401, "the key is not one of admin.keys");
  }

  private find(method: string, path: string): { route: AdminRoute; id: string | undefined } | undefined {
    for (const { route, re } of this.compiled) {
      const m = re.exec(path);
      if (m && route.method === method) return { route, id: m[1] ? decodeURIComponent(m[1]) : undefined };
    }
    return undefined;
  }

  private async readJson(ex: Exchange): Promise<unknown> {
    let raw: Buffer;
    try {
      raw = await readBody(ex.req, this.limits);
    } catch (err) {
      if (err instanceof BodyRefused) throw new AdminError(err.info.status, err.info.message);
      throw err;
    }
    if (raw.toString("utf8").trim() === "") return {};
    const decoded = decodeJson(raw);
    if (!decoded.ok) throw new AdminError(400, `body: ${decoded.error.message}`);
    return decoded.json;
  }

  /**
   * One admin call, already authorised: validates the body and query with the route's schemas and runs it.
   * The HTTP server and the CLI (talking to the store directly) both call this. Throws AdminError.
   */
  async call(
    method: string,
    path: string,
    body: unknown = {},
    query: Record<string, string> = {},
    self?: { keyId: string },
  ): Promise<{ status: number; body: unknown }> {
    if (method === "GET" && path === "/admin/v1/openapi.json") {
      this.document ??= openApiDocument(this.routes, this.version);
      return { status: 200, body: this.document };
    }
    const found = this.find(method, path);
    if (!found) {
      const elsewhere = this.compiled.some(({ re }) => re.test(path));
      throw new AdminError(
        elsewhere ? 405 : 404,
        elsewhere ? `${method} is not allowed on ${path}` : `no admin route ${path}`,
      );
    }
    const { route, id } = found;
    let input: unknown = {};
    if (route.body) {
      const parsed = route.body.safeParse(body ?? {});
      if (!parsed.success) throw firstIssue(parsed.error, "body");
      input = parsed.data;
    }
    let q: unknown = {};
    if (route.query) {
      const parsed = route.query.safeParse(query);
      if (!parsed.success) throw firstIssue(parsed.error, "query");
      q = parsed.data;
    }
    if (route.auth === "self" && !self)
      throw new AdminError(403, "self-service routes take a minted key (lx-…), not an admin key");
    const out = await route.run({ params: id === undefined ? {} : { id }, body: input, query: q, self });
    if (out === undefined) throw new AdminError(404, `no such id: ${id}`);
    return { status: route.status, body: out };
  }
}
