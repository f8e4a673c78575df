import type { IncomingMessage, ServerResponse } from "node:http";
import type { SigninConfig } from "../config/schema-signin.js";
import type { Data } from "../data/data.js";
import { SigninStore } from "../data/signin.js";
import type { HttpNote } from "../http/note.js";
import { presentedKey } from "../identity/identify.js";
import { CodeAttempts } from "./attempts.js";
import { type BrowserFlow, IdentityProvider, SigninRefused } from "./idp.js";
import { discovery, type OAuthAnswer, SigninOAuth } from "./oauth.js";
import type { Signal } from "./otlp-stamp.js";
import { codePage, donePage } from "./page.js";
import { policyFor, settingsChecksum } from "./policy.js";
import { SigninResolver } from "./resolver.js";
import {
  forwardExport,
  type StampedExport,
  stampExport,
  TELEMETRY_LIMIT,
  TelemetryRefused,
  telemetryTarget,
} from "./telemetry.js";
import { normalUserCode } from "./tokens.js";

const LOOPBACK = /^(localhost|127\.0\.0\.1|\[::1\])(:\d+)?$/;
const FORM_LIMIT = 16 * 1024;

const PATHS = new Set([
  "/.well-known/oauth-authorization-server",
  "/oauth/device_authorization",
  "/oauth/token",
  "/oauth/revoke",
  "/oauth/callback",
  "/device",
  "/device/deny",
  "/managed/settings",
  "/v1/metrics",
  "/v1/logs",
  "/v1/traces",
]);

function readForm(req: IncomingMessage): Promise<URLSearchParams> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on("data", (c: Buffer) => {
      size += c.length;
      if (size > FORM_LIMIT) {
        reject(new Error("form too large"));
        req.destroy();
        return;
      }
      chunks.push(c);
    });
    req.on("end", () => resolve(new URLSearchParams(Buffer.concat(chunks).toString("utf8"))));
    req.on("error", reject);
  });
}

function readRaw(req: IncomingMessage, limit: number): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on("data", (c: Buffer) => {
      size += c.length;
      if (size > limit) {
        reject(new Error("too large"));
        req.resume();
        return;
      }
      chunks.push(c);
    });
    req.on("end", () => resolve(Buffer.concat(chunks)));
    req.on("error", reject);
  });
}

function drain(req: IncomingMessage): Promise<void> {
  return new Promise((resolve) => {
    req.on("data", () => {});
    req.on("end", () => resolve());
    req.on("error", () => resolve());
  });
}

const NO_STORE = { "cache-control": "no-store", pragma: "no-cache" };

function sendJson(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  res.writeHead(status, { "content-type": "application/json", ...NO_STORE, ...headers });
  res.end(JSON.stringify(body));
}

function sendHtml(res: ServerResponse, status: number, html: string): void {
  res.writeHead(status, {
    "content-type": "text/html; charset=utf-8",
    ...NO_STORE,
    "x-frame-options": "DENY",
    "content-security-policy":
      "default-src 'none'; img-src data:; style-src 'unsafe-inline'; form-action 'self' https: http:",
    "referrer-policy": "no-referrer",
  });
  res.end(html);
}

/** The Anthropic error envelope for bearer endpoints (Claude Code shows its message). */
const anthropicError = (type: string, message: string) => ({ type: "error", error: { type, message } });

/**
 * Claude Code sign-in, served by llmux itself: the discovery document, device authorization, the token and
 * revocation endpoints, the verification page and the identity provider's return, the managed settings of the
 * person's group and the telemetry endpoints. Its resolver makes access tokens callers of the gateway.
 */
export class Signin {
  readonly store: SigninStore;
  readonly oauth: SigninOAuth;
  readonly resolver: SigninResolver;
  private readonly idp: IdentityProvider;
  /** Wrong user codes by client address (the verification page's rate limit). */
  readonly attempts = new CodeAttempts();
  private readonly telemetryTarget: ReturnType<typeof telemetryTarget>;
  /** The last telemetry forward (tests wait for it). */
  relayed: Promise<boolean> | undefined;

  constructor(
    readonly cfg: SigninConfig,
    data: Data,
    env: Record<string, string | undefined> = {},
  ) {
    this.telemetryTarget = telemetryTarget(cfg.telemetry_endpoint, env);
    this.store = new SigninStore(data);
    this.resolver = new SigninResolver(cfg, this.store);
    this.oauth = new SigninOAuth(cfg, this.store, Date.now, () => this.resolver.forget());
    this.idp = new IdentityProvider(cfg.oidc);
  }

  owns(path: string): boolean {
    return PATHS.has(path);
  }

  /** llmux's address as the laptop and the browser reach it. */
  private base(req: IncomingMessage): string | undefined {
    if (this.cfg.public_url) return this.cfg.public_url.replace(/\/$/, "");
    const host = req.headers.host ?? "";
    return LOOPBACK.test(host) ? `http://${host}` : undefined;
  }

  async serve(req: IncomingMessage, res: ServerResponse, path: string, note: HttpNote = {}): Promise<void> {
    const base = this.base(req);
    const method = req.method ?? "GET";
    // Only what names llmux's own address needs it (discovery, device authorization, the identity provider's return).
    const needsBase = ["/.well-known/oauth-authorization-server", "/oauth/device_authorization", "/device"].includes(
      path,
    );
    if (!base && needsBase) {
      await drain(req);
      note.reason = "signin.public_url is not set";
      return sendJson(res, 500, {
        error: "server_error",
        error_description: "signin.public_url is not set in llmux's configuration",
      });
    }
    const oauth = (a: OAuthAnswer) => sendJson(res, a.status, a.body);
    switch (`${method} ${path}`) {
      case "GET /.well-known/oauth-authorization-server":
        return sendJson(res, 200, discovery(base!));
      case "POST /oauth/device_authorization":
        return oauth(await this.oauth.deviceAuthorization(base!, await readForm(req), req.headers["user-agent"]));
      case "POST /oauth/token":
        return oauth(await this.oauth.token(await readForm(req)));
      case "POST /oauth/revoke":
        return oauth(await this.oauth.revoke(await readForm(req)));
      case "GET /device":
        return this.devicePage(req, res);
      case "POST /device":
        return this.startBrowserStep(req, res, base!);
      case "POST /device/deny":
        return this.deny(req, res);
      case "GET /oauth/callback":
        return this.callback(req, res);
      case "GET /managed/settings":
        return this.managedSettings(req, res);
      case "POST /v1/metrics":
      case "POST /v1/logs":
      case "POST /v1/traces":
        return this.telemetry(req, res, path);
    }
    await drain(req);
    sendJson(res, 405, { error: "invalid_request", error_description: `${method} is not served on ${path}` });
  }

  /** A typed user code, when it names a pending device code; otherwise the page already answered. */
  private async checkCode(req: IncomingMessage, res: ServerResponse, typed: string): Promise<string | undefined> {
    const address = req.socket.remoteAddress ?? "";
    if (!this.attempts.allowed(address)) {
      sendHtml(res, 429, codePage(undefined, "Too many wrong codes from your address: wait ten minutes."));
      return undefined;
    }
    const code = normalUserCode(typed);
    if (!code || !(await this.store.pendingCode(code))) {
      this.attempts.wrong(address);
      sendHtml(res, 400, codePage(undefined, "That code is unknown or expired: check your terminal."));
      return undefined;
    }
    return code;
  }

  private async devicePage(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const typed = new URL(req.url ?? "/", "http://x").searchParams.get("user_code");
    if (!typed) return sendHtml(res, 200, codePage(undefined));
    const code = await this.checkCode(req, res, typed);
    if (code) sendHtml(res, 200, codePage(code));
  }

  private async startBrowserStep(req: IncomingMessage, res: ServerResponse, base: string): Promise<void> {
    const code = await this.checkCode(req, res, (await readForm(req)).get("user_code") ?? "");
    if (!code) return;
    const { url, state, flow } = await this.idp.start(`${base}/oauth/callback`);
    if (!(await this.store.startBrowserStep(code, state, JSON.stringify(flow))))
      return sendHtml(res, 400, codePage(undefined, "That code is unknown or expired: check your terminal."));
    res.writeHead(303, { location: url, ...NO_STORE });
    res.end();
  }

  private async deny(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const code = normalUserCode((await readForm(req)).get("user_code") ?? "");
    if (code) await this.store.decide(code, "denied");
    return sendHtml(res, 200, donePage("Sign-in denied", "The device was not signed in. You can close this page."));
  }

  private async callback(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const query = new URL(req.url ?? "/", "http://x").searchParams;
    const state = query.get("state") ?? "";
    const step = state ? await this.store.takeBrowserStep(state) : undefined;
    if (!step)
      return sendHtml(
        res,
        400,
        donePage("Sign-in failed", "This sign-in is unknown, expired or finished already: run /login again.", true),
      );
    try {
      const who = await this.idp.finish(query, state, JSON.parse(step.flow) as BrowserFlow);
      if (!policyFor(this.cfg, who.groups))
        throw new SigninRefused(`${who.email} is in no group that may sign in here (signin.groups)`);
      await this.store.decide(step.userCode, who);
      return sendHtml(
        res,
        200,
        donePage("Signed in", `Signed in as ${who.email}. Go back to your terminal; you can close this page.`),
      );
    } catch (err) {
      await this.store.decide(step.userCode, "denied");
      const why =
        err instanceof SigninRefused
          ? err.message
          : `the identity provider's answer was refused (${(err as Error).message})`;
      return sendHtml(res, 403, donePage("Sign-in failed", why, true));
    }
  }

  /** The person's session from the bearer, or the 401 already answered. */
  private async bearer(req: IncomingMessage, res: ServerResponse) {
    const key = presentedKey(req.headers);
    const s = key ? await this.resolver.session(key) : undefined;
    if (!s || "refused" in s) {
      sendJson(res, 401, anthropicError("authentication_error", s ? s.message : "Sign in with /login."), {
        "x-should-retry": "false",
      });
      return undefined;
    }
    return s;
  }

  private async managedSettings(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const s = await this.bearer(req, res);
    if (!s) return;
    const matched = policyFor(this.cfg, s.groups);
    const settings = matched?.policy.settings;
    if (!settings) return sendJson(res, 404, anthropicError("not_found_error", "no managed settings for you"));
    const checksum = settingsChecksum(settings);
    const etag = `"${checksum}"`;
    const asked = req.headers["if-none-match"];
    if (asked && asked !== "*" && asked.split(",").some((v) => v.trim().replace(/^W\//, "") === etag)) {
      res.writeHead(304, { etag, ...NO_STORE });
      res.end();
      return;
    }
    sendJson(res, 200, { uuid: `llmux-${matched.group ?? "default"}`, checksum, settings }, { etag });
  }

  /**
   * OTLP from signed-in clients: answered 200 at once (so the client's exporter stays quiet); forwarded,
   * stamped with the person's identity, when a collector is configured; otherwise dropped. Nothing is kept.
   */
  private async telemetry(req: IncomingMessage, res: ServerResponse, path: string): Promise<void> {
    const key = presentedKey(req.headers);
    const s = key ? await this.resolver.session(key) : undefined;
    if (!s || "refused" in s) {
      await drain(req);
      return sendJson(res, 401, anthropicError("authentication_error", "Sign in with /login."), {
        "x-should-retry": "false",
      });
    }
    if (!this.telemetryTarget) {
      await drain(req);
      return sendJson(res, 200, {});
    }
    let raw: Buffer;
    try {
      raw = await readRaw(req, TELEMETRY_LIMIT);
    } catch {
      return sendJson(res, 413, anthropicError("request_too_large", "telemetry body over 8 MB"));
    }
    const signal = path.slice("/v1/".length) as Signal;
    let stamped: StampedExport;
    try {
      stamped = await stampExport(raw, signal, req.headers["content-type"], req.headers["content-encoding"], s);
    } catch (err) {
      if (!(err instanceof TelemetryRefused)) throw err;
      return sendJson(res, err.status, anthropicError(err.type, err.message), { "x-should-retry": "false" });
    }
    sendJson(res, 200, {});
    this.relayed = forwardExport(this.telemetryTarget, signal, stamped);
  }
}
