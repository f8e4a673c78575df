import { randomBytes, timingSafeEqual } from "node:crypto";
import type { IncomingMessage, ServerResponse } from "node:http";
import type { SigninStore } from "../data/signin.js";
import type { CodeAttempts } from "./attempts.js";
import { codePage, donePage } from "./page.js";
import { normalUserCode } from "./tokens.js";

/** The cookie the confirm form's token is checked against (double submit: a cross-site form carries neither). */
export const CSRF_COOKIE = "llmux_device_csrf";

const NO_STORE = { "cache-control": "no-store", pragma: "no-cache" };

export function sendHtml(res: ServerResponse, status: number, html: string, headers: Record<string, string> = {}) {
  res.writeHead(status, {
    "content-type": "text/html; charset=utf-8",
    ...NO_STORE,
    "x-frame-options": "DENY",
    "content-security-policy":
      "default-src 'none'; img-src data:; style-src 'unsafe-inline'; form-action 'self' https: http:",
    "referrer-policy": "no-referrer",
    ...headers,
  });
  res.end(html);
}

function cookieOf(req: IncomingMessage, name: string): string | undefined {
  for (const part of (req.headers.cookie ?? "").split(";")) {
    const eq = part.indexOf("=");
    if (eq > 0 && part.slice(0, eq).trim() === name) return part.slice(eq + 1).trim();
  }
  return undefined;
}

/** Whether the form's token is the cookie's (both present, equal). */
export function csrfHolds(req: IncomingMessage, form: URLSearchParams): boolean {
  const cookie = Buffer.from(cookieOf(req, CSRF_COOKIE) ?? "");
  const sent = Buffer.from(form.get("csrf") ?? "");
  return cookie.length >= 32 && cookie.length === sent.length && timingSafeEqual(cookie, sent);
}

/**
 * The verification page's code checks (RFC 8628 §5.1): a typed code is looked up only while its address is
 * under its bound of wrong codes; a wrong one counts against the address and every pending code; a pending
 * code exposed to too many wrong ones is given up (denied: its terminal is told, and its person runs /login
 * again). The confirm form (continue, deny) carries a token that must match a cookie the page set.
 */
export class VerificationPage {
  constructor(
    private readonly store: SigninStore,
    private readonly attempts: CodeAttempts,
    private readonly codeTtlMs: number,
    private readonly secureCookie: () => boolean,
  ) {}

  /** A typed user code, when it names a pending device code; otherwise the page already answered. */
  async checkCode(req: IncomingMessage, res: ServerResponse, typed: string): Promise<string | undefined> {
    const address = req.socket.remoteAddress ?? "";
    if (!(await this.attempts.allowed(address))) {
      sendHtml(res, 429, codePage(undefined, "Too many wrong codes from your address: wait ten minutes."));
      return undefined;
    }
    const code = normalUserCode(typed);
    if (!code || !(await this.store.pendingCode(code))) {
      await this.attempts.wrong(address);
      sendHtml(res, 400, codePage(undefined, "That code is unknown or expired: check your terminal."));
      return undefined;
    }
    if (await this.attempts.exposed(code, this.codeTtlMs)) {
      await this.store.decide(code, "denied");
      sendHtml(res, 400, codePage(undefined, "That code was guessed at too often: run /login again for a new one."));
      return undefined;
    }
    return code;
  }

  /** GET /device: the code form, or the confirm form of a pending code (with its token and cookie). */
  async show(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const typed = new URL(req.url ?? "/", "http://x").searchParams.get("user_code");
    if (!typed) return sendHtml(res, 200, codePage(undefined));
    const code = await this.checkCode(req, res, typed);
    if (!code) return;
    const token = randomBytes(32).toString("base64url");
    const secure = this.secureCookie() ? "; Secure" : "";
    sendHtml(res, 200, codePage(code, undefined, token), {
      "set-cookie": `${CSRF_COOKIE}=${token}; Path=/device; HttpOnly; SameSite=Strict; Max-Age=${Math.ceil(this.codeTtlMs / 1000)}${secure}`,
    });
  }

  /**
   * A POST of the confirm form: the pending code it names, when its token matches the page's cookie and the
   * code passes the checks; otherwise the page already answered (403 for a form that did not come from it).
   */
  async confirmed(req: IncomingMessage, res: ServerResponse, form: URLSearchParams): Promise<string | undefined> {
    if (!csrfHolds(req, form)) {
      sendHtml(
        res,
        403,
        donePage(
          "Sign-in not confirmed",
          "This form did not come from llmux's page (or it expired): open the link your terminal shows again.",
          true,
        ),
      );
      return undefined;
    }
    return this.checkCode(req, res, form.get("user_code") ?? "");
  }

  /** POST /device/deny: denies a pending code confirmed on the page. */
  async deny(req: IncomingMessage, res: ServerResponse, form: URLSearchParams): Promise<void> {
    const code = await this.confirmed(req, res, form);
    if (!code) return;
    await this.store.decide(code, "denied");
    return sendHtml(res, 200, donePage("Sign-in denied", "The device was not signed in. You can close this page."));
  }
}
