import type { IncomingMessage } from "node:http";
import type { Config } from "../config/schema.js";
import { answerJson, type HttpExchange as Exchange } from "../http/exchange.js";
import type { BodyLimits } from "../http/read-body.js";
import { presentedKey, type Resolver } from "../identity/identify.js";
import { UI_HEADER, UiAuth } from "./ui-auth.js";
import { UiStatic } from "./ui-static.js";

/** A browser signed in to the web UI, as the admin API sees it. */
export interface AdminSession {
  role: "admin" | "read_only";
  /** Who, in words, for the request log's reason. */
  name: string;
  /** Whether the request carries the page's own header (changes need it). */
  fromPage: boolean;
}

/** Self-service routes: a key holder's own usage and requests. */
const SELF = /^\/admin\/v1\/me(\/|$)/;

/**
 * The web UI at `/ui`: the built page (src/admin/ui-static.ts) and its sign-in (src/admin/ui-auth.ts).
 * The admin API asks it whether a request without a key carries a sign-in.
 */
export class WebUi {
  readonly auth: UiAuth;
  readonly files: UiStatic;
  /** Whether the admin API is on (admin.keys or admin.oidc): the UI is its front end. */
  private readonly on: boolean;

  constructor(config: Config, minted: Resolver, limits: BodyLimits, files = new UiStatic()) {
    this.auth = new UiAuth(config, minted, limits);
    this.files = files;
    this.on = config.admin.keys.length > 0 || config.admin.oidc !== undefined;
  }

  static owns(path: string): boolean {
    return path === "/ui" || path.startsWith("/ui/");
  }

  serve(ex: Exchange, path: string): Promise<void> | void {
    if (!this.on) {
      ex.note.quiet = true;
      return answerJson(ex, 404, {
        error: {
          message: "the web UI is the admin API's front end: set admin.keys (or admin.oidc)",
          type: "not_found",
        },
      });
    }
    if (path.startsWith("/ui/auth/")) return this.auth.serve(ex, path);
    return this.files.serve(ex, path);
  }

  /** An admin or read-only sign-in carried by a request that presents no key. */
  adminSession(req: IncomingMessage): AdminSession | undefined {
    if (presentedKey(req.headers) !== undefined) return undefined;
    const s = this.auth.session(req);
    if (!s || s.role === "key") return undefined;
    return { role: s.role, name: s.name, fromPage: req.headers[UI_HEADER] === "1" };
  }

  /**
   * A key holder's sign-in stands for their key: on the self-service routes (`/admin/v1/me…`) a request
   * without a key of its own presents it, so those routes see exactly what a script with the key sees.
   */
  present(req: IncomingMessage, path: string): void {
    if (!SELF.test(path) || presentedKey(req.headers) !== undefined) return;
    const s = this.auth.session(req);
    if (s?.role === "key" && s.key) req.headers.authorization = `Bearer ${s.key}`;
  }
}
