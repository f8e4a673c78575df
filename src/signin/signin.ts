import type { IncomingMessage, ServerResponse } from "node:http";
import type { SigninConfig } from "../config/schema-signin.js";
import type { Data } from "../data/data.js";
import { SigninStore } from "../data/signin.js";
import type { HttpNote } from "../http/note.js";
import { presentedKey } from "../identity/identify.js";
import type { Logger } from "../log/logger.js";
import type { HotState } from "../state/hot-state.js";
import { MemoryState } from "../state/memory.js";
import { CodeAttempts } from "./attempts.js";
import { type BrowserFlow, IdentityProvider, SigninRefused } from "./idp.js";
import { sealForDevice } from "./idp-seal.js";
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
import { sendHtml, VerificationPage } from "./verify-page.js";

const LOOPBACK = /^(localhost|127\.0\.0\.1|\[::1\])(:\d+)?$/;
const FORM_LIMIT = 16 * 1024;

/** The paths sign-in serves (each has its row in docs/security.md). */
export const SIGNIN_PATHS: ReadonlySet<string> = new Set([
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

/**
 * A body of at most `limit` bytes. Over it: rejected, and the rest either read and dropped (`resume`: the
 * answer can still be sent) or the connection cut (`destroy`: a form that large is no client's).
 */
function readRaw(
  req: IncomingMessage,
  limit: number,
  over: { message: string; rest: "resume" | "destroy" } = { message: "too large", rest: "resume" },
): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on("data", (c: Buffer) => {
      size += c.length;
      if (size > limit) {
        reject(new Error(over.message));
        if (over.rest === "destroy") req.destroy();
        else req.resume();
        return;
      }
      chunks.push(c);
    });
    req.on("end", () => resolve(Buffer.concat(chunks)));
    req.on("error", reject);
  });
}

async function readForm(req: IncomingMessage): Promise<URLSearchParams> {
  const raw = await readRaw(req, FORM_LIMIT, { message: "form too large", rest: "destroy" });
  return new URLSearchParams(raw.toString("utf8"));
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
  /** Wrong user codes and sign-ins started, by client address and per pending code (the hot state). */
  readonly attempts: CodeAttempts;
  private readonly page: VerificationPage;
  private readonly telemetryTarget: ReturnType<typeof telemetryTarget>;
  /** The last telemetry forward (tests wait for it). */
  relayed: Promise<boolean> | undefined;

  constructor(
    readonly cfg: SigninConfig,
    data: Data,
    env: Record<string, string | undefined> = {},
    private readonly logger?: Logger,
    hot: HotState = new MemoryState(),
  ) {
    this.store = new SigninStore(data);
    this.attempts = new CodeAttempts(hot);
    this.page = new VerificationPage(this.store, this.attempts, cfg.device_ttl_s * 1000, () =>
      (cfg.public_url ?? "").startsWith("https:"),
    );
    this.telemetryTarget = telemetryTarget(cfg.telemetry_endpoint, env);
    this.resolver = new SigninResolver(cfg, this.store);
    this.idp = new IdentityProvider(cfg.oidc);
    this.oauth = new SigninOAuth(
      cfg,
      this.store,
      Date.now,
      () => this.resolver.forget(),
      (tokens, subject) => this.idp.recheck(tokens, subject),
      (words) =>
        this.logger?.warn(
          { reason: words },
          "sign-in refresh: the identity provider did not answer; refreshed without asking it",
        ),
    );
  }

  owns(path: string): boolean {
    return SIGNIN_PATHS.has(path);
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
        return this.deviceAuthorization(req, res, base!);
      case "POST /oauth/token":
        return oauth(await this.oauth.token(await readForm(req)));
      case "POST /oauth/revoke":
        return oauth(await this.oauth.revoke(await readForm(req)));
      case "GET /device":
        return this.page.show(req, res);
      case "POST /device":
        return this.startBrowserStep(req, res, base!);
      case "POST /device/deny":
        return this.page.deny(req, res, await readForm(req));
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

  private async startBrowserStep(req: IncomingMessage, res: ServerResponse, base: string): Promise<void> {
    const code = await this.page.confirmed(req, res, await readForm(req));
    if (!code) return;
    const { url, state, flow } = await this.idp.start(`${base}/oauth/callback`);
    if (!(await this.store.startBrowserStep(code, state, JSON.stringify(flow))))
      return sendHtml(res, 400, codePage(undefined, "That code is unknown or expired: check your terminal."));
    res.writeHead(303, { location: url, ...NO_STORE });
    res.end();
  }

  /** POST /oauth/device_authorization, bounded per address (each is a database row). */
  private async deviceAuthorization(req: IncomingMessage, res: ServerResponse, base: string): Promise<void> {
    const form = await readForm(req);
    if (!(await this.attempts.start(req.socket.remoteAddress ?? "")))
      return sendJson(
        res,
        429,
        { error: "slow_down", error_description: "too many sign-ins started from your address: wait ten minutes" },
        { "retry-after": "600" },
      );
    const a = await this.oauth.deviceAuthorization(base, form, req.headers["user-agent"]);
    const code = (a.body as { user_code?: unknown }).user_code;
    if (typeof code === "string") await this.attempts.opened(code, this.cfg.device_ttl_s * 1000);
    return sendJson(res, a.status, a.body);
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
      const { who, tokens } = await this.idp.finish(query, state, JSON.parse(step.flow) as BrowserFlow);
      if (!policyFor(this.cfg, who.groups))
        throw new SigninRefused(`${who.email} is in no group that may sign in here (signin.groups)`);
      // The provider's tokens, sealed to the device code: only the polling client opens them (src/signin/idp-seal.ts).
      await this.store.decide(step.userCode, who, step.boxKey ? sealForDevice(step.boxKey, tokens) : null);
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
