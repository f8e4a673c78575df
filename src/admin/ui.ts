import type { IncomingMessage, ServerResponse } from "node:http";
import type { Config } from "../config/schema.js";
import type { HttpNote } from "../http/note.js";
import type { BodyLimits } from "../http/read-body.js";
import { sendJson } from "../http/reply.js";
import { presentedKey, type Resolver } from "../identity/identify.js";
import type { AdminSession } from "./auth.js";
import { type SignOuts, UI_HEADER, UiAuth } from "./ui-auth.js";
import { UiStatic } from "./ui-static.js";

/** What `/ui` shows a browser while the admin API is off. */
const UI_OFF = `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>llmux: the web UI is off</title>
<style>body{font:16px/1.5 system-ui,sans-serif;max-width:40rem;margin:3rem auto;padding:0 1rem}code,pre{background:#f3f3f3;border-radius:4px;padding:.1rem .3rem}pre{padding:.6rem}</style>
</head><body>
<h1>The web UI is off</h1>
<p>llmux serves its web UI together with its admin API, which needs an admin key (or single sign-on) to be set.</p>
<p><strong>Without a configuration file</strong>, start llmux with an admin key in the environment, then sign in here with it:</p>
<pre>LLMUX_ADMIN_KEY=choose-a-long-random-key npm start</pre>
<p><strong>With a configuration file</strong> (<code>llmux.yaml</code>), add:</p>
<pre>admin:
  keys: ["\${LLMUX_ADMIN_KEY}"]</pre>
<p>or <code>admin.oidc</code> for single sign-on. See <code>docs/ui.md</code> and <code>docs/config.md</code>.</p>
</body></html>
`;

function sendUiOff(res: ServerResponse): void {
  res.writeHead(404, {
    "content-type": "text/html; charset=utf-8",
    "cache-control": "no-store",
    "content-length": Buffer.byteLength(UI_OFF),
  });
  res.end(UI_OFF);
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

  constructor(config: Config, minted: Resolver, limits: BodyLimits, files = new UiStatic(), signOuts?: SignOuts) {
    this.auth = new UiAuth(config, minted, limits, signOuts);
    this.files = files;
    this.on = config.admin.keys.length > 0 || config.admin.oidc !== undefined;
  }

  static owns(path: string): boolean {
    return path === "/ui" || path.startsWith("/ui/");
  }

  serve(req: IncomingMessage, res: ServerResponse, path: string, note: HttpNote = {}): Promise<void> | void {
    if (!this.on) {
      note.quiet = true;
      // A browser gets a page that says what to set; anything else the JSON error.
      if (/text\/html/.test(req.headers.accept ?? "")) return sendUiOff(res);
      return sendJson(res, 404, {
        error: {
          message: "the web UI is the admin API's front end: set admin.keys (or admin.oidc)",
          type: "not_found",
        },
      });
    }
    if (path.startsWith("/ui/auth/")) return this.auth.serve(req, res, path, note);
    return this.files.serve(req, res, path, note);
  }

  /** An admin or read-only sign-in carried by a request that presents no key. */
  async adminSession(req: IncomingMessage): Promise<AdminSession | undefined> {
    if (presentedKey(req.headers) !== undefined) return undefined;
    const s = await this.auth.session(req);
    if (!s || s.role === "key") return undefined;
    return {
      role: s.role,
      ...(s.role === "team_admin" ? { team: s.team } : {}),
      name: s.name,
      fromPage: req.headers[UI_HEADER] === "1",
      via: s.via === "oidc" ? "oidc" : "admin_key",
      ...(s.via === "oidc" && s.email ? { email: s.email, groups: s.groups ?? [] } : {}),
    };
  }

  /**
   * A key holder's sign-in stands for their key: on the self-service routes (`/admin/v1/me…`) a request
   * without a key of its own presents it, so those routes see exactly what a script with the key sees.
   */
  async present(req: IncomingMessage, path: string): Promise<void> {
    if (!SELF.test(path) || presentedKey(req.headers) !== undefined) return;
    const s = await this.auth.session(req);
    if (s?.role === "key" && s.key) req.headers.authorization = `Bearer ${s.key}`;
  }
}
