import { createHash, generateKeyPairSync, type KeyObject, randomBytes, sign } from "node:crypto";
import { createServer, type IncomingMessage, type Server } from "node:http";
import type { AddressInfo } from "node:net";

/**
 * A small OpenID Connect provider for tests: discovery, JWKS, an authorization page a browser fills in
 * (an email field and a button), and a token endpoint that checks the client's secret (HTTP Basic), the
 * redirect URI and PKCE (S256) before it signs an ID token (RS256) with its test key; its refresh grant
 * (rotating refresh tokens) and userinfo endpoint answer for a person until they are removed.
 */
export interface FakeIssuer {
  url: string;
  clientId: string;
  clientSecret: string;
  /** What the provider received, to check llmux asked correctly. */
  seen: { authorize: URLSearchParams[]; token: URLSearchParams[] };
  /** Sign the next ID tokens with a key that is not in the JWKS (a forged token). */
  forge: boolean;
  /** The `email_verified` claim of the next ID tokens. */
  emailVerified: boolean;
  /** The `groups` claim of an address's ID tokens (none: no groups claim). */
  groups: Map<string, string[]>;
  /** Removes a person: their refresh tokens answer invalid_grant, their access tokens 401 at userinfo. */
  remove(email: string): void;
  /** Whether the next code grants carry a refresh token (off: access token and userinfo only). */
  refreshTokens: boolean;
  /** While true, the token and userinfo endpoints answer 503 (the provider is down). */
  down: boolean;
  close(): Promise<void>;
}

const b64url = (b: Buffer | string) => Buffer.from(b).toString("base64url");

function jwt(claims: Record<string, unknown>, key: KeyObject, kid: string): string {
  const head = b64url(JSON.stringify({ alg: "RS256", typ: "JWT", kid }));
  const body = b64url(JSON.stringify(claims));
  const signature = sign("sha256", Buffer.from(`${head}.${body}`), key);
  return `${head}.${body}.${b64url(signature)}`;
}

function readForm(req: IncomingMessage): Promise<URLSearchParams> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => resolve(new URLSearchParams(Buffer.concat(chunks).toString("utf8"))));
    req.on("error", reject);
  });
}

const escapeHtml = (s: string) => s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

export async function startFakeIssuer(): Promise<FakeIssuer> {
  const { privateKey, publicKey } = generateKeyPairSync("rsa", { modulusLength: 2048 });
  const other = generateKeyPairSync("rsa", { modulusLength: 2048 }).privateKey;
  const kid = "test-key-1";
  const clientId = "llmux-ui-test";
  const clientSecret = "issuer-secret-0123456789";
  const codes = new Map<string, { email: string; nonce: string; challenge: string; redirect: string }>();
  const seen = { authorize: [] as URLSearchParams[], token: [] as URLSearchParams[] };
  let base = "";
  const state = { forge: false, emailVerified: true, refreshTokens: true, down: false };
  const groups = new Map<string, string[]>();
  const removed = new Set<string>();
  // The provider's own tokens: who each refresh and access token is for.
  const refreshes = new Map<string, string>();
  const accesses = new Map<string, string>();
  const subjectOf = (email: string) => createHash("sha256").update(email).digest("hex").slice(0, 16);

  const tokensFor = (email: string) => {
    const access = b64url(randomBytes(16));
    accesses.set(access, email);
    const refresh = state.refreshTokens ? b64url(randomBytes(16)) : undefined;
    if (refresh) refreshes.set(refresh, email);
    return {
      access_token: access,
      token_type: "Bearer",
      expires_in: 300,
      ...(refresh ? { refresh_token: refresh } : {}),
    };
  };

  const server: Server = createServer(async (req, res) => {
    const url = new URL(req.url ?? "/", base);
    const json = (status: number, body: unknown) => {
      res.writeHead(status, { "content-type": "application/json", "cache-control": "no-store" });
      res.end(JSON.stringify(body));
    };
    if (url.pathname === "/.well-known/openid-configuration")
      return json(200, {
        issuer: base,
        authorization_endpoint: `${base}/authorize`,
        token_endpoint: `${base}/token`,
        userinfo_endpoint: `${base}/userinfo`,
        jwks_uri: `${base}/jwks`,
        response_types_supported: ["code"],
        subject_types_supported: ["public"],
        id_token_signing_alg_values_supported: ["RS256"],
        code_challenge_methods_supported: ["S256"],
        token_endpoint_auth_methods_supported: ["client_secret_basic"],
        scopes_supported: ["openid", "email", "profile"],
      });
    if (url.pathname === "/jwks")
      return json(200, { keys: [{ ...publicKey.export({ format: "jwk" }), kid, alg: "RS256", use: "sig" }] });
    if (url.pathname === "/authorize" && req.method === "GET") {
      const q = url.searchParams;
      seen.authorize.push(q);
      const problems = [
        q.get("client_id") !== clientId && "client_id",
        q.get("response_type") !== "code" && "response_type",
        q.get("code_challenge_method") !== "S256" && "code_challenge_method",
        !q.get("code_challenge") && "code_challenge",
        !q.get("state") && "state",
        !q.get("nonce") && "nonce",
        !q.get("redirect_uri") && "redirect_uri",
        !(q.get("scope") ?? "").split(" ").includes("openid") && "scope",
      ].filter(Boolean);
      if (problems.length > 0) return json(400, { error: "invalid_request", error_description: problems.join(", ") });
      const hidden = ["redirect_uri", "state", "nonce", "code_challenge"]
        .map((k) => `<input type="hidden" name="${k}" value="${escapeHtml(q.get(k) ?? "")}">`)
        .join("");
      res.writeHead(200, { "content-type": "text/html; charset=utf-8" });
      res.end(
        `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Example SSO</title><link rel="icon" href="data:,"></head><body><h1>Example SSO</h1><form method="post" action="/authorize/submit">${hidden}<label>Email <input name="email" type="email" required></label><button type="submit">Continue</button></form></body></html>`,
      );
      return;
    }
    if (url.pathname === "/authorize/submit" && req.method === "POST") {
      const f = await readForm(req);
      const code = b64url(randomBytes(16));
      codes.set(code, {
        email: f.get("email") ?? "",
        nonce: f.get("nonce") ?? "",
        challenge: f.get("code_challenge") ?? "",
        redirect: f.get("redirect_uri") ?? "",
      });
      const back = new URL(f.get("redirect_uri") ?? "");
      back.searchParams.set("code", code);
      back.searchParams.set("state", f.get("state") ?? "");
      back.searchParams.set("iss", base);
      res.writeHead(302, { location: back.href }).end();
      return;
    }
    if ((url.pathname === "/token" || url.pathname === "/userinfo") && state.down) {
      await readForm(req);
      return json(503, { error: "temporarily_unavailable" });
    }
    if (url.pathname === "/userinfo") {
      const token = /^Bearer (.+)$/.exec(req.headers.authorization ?? "")?.[1] ?? "";
      const email = accesses.get(token);
      if (!email || removed.has(email)) {
        res.writeHead(401, { "www-authenticate": 'Bearer error="invalid_token"' }).end();
        return;
      }
      return json(200, { sub: subjectOf(email), email, email_verified: true });
    }
    if (url.pathname === "/token" && req.method === "POST") {
      const f = await readForm(req);
      seen.token.push(f);
      // RFC 6749 2.3.1: id and secret form-urlencoded, joined by a colon, in base64.
      const basic = /^Basic (.+)$/.exec(req.headers.authorization ?? "");
      const [id, secret] = Buffer.from(basic?.[1] ?? "", "base64")
        .toString("utf8")
        .split(":")
        .map((p) => decodeURIComponent(p.replace(/\+/g, " ")));
      if (id !== clientId || secret !== clientSecret) return json(401, { error: "invalid_client" });
      if (f.get("grant_type") === "refresh_token") {
        const email = refreshes.get(f.get("refresh_token") ?? "");
        refreshes.delete(f.get("refresh_token") ?? "");
        if (!email || removed.has(email))
          return json(400, { error: "invalid_grant", error_description: "the user was removed or the token is spent" });
        return json(200, tokensFor(email));
      }
      const grant = codes.get(f.get("code") ?? "");
      codes.delete(f.get("code") ?? "");
      if (f.get("grant_type") !== "authorization_code" || !grant)
        return json(400, { error: "invalid_grant", error_description: "unknown or used code" });
      if (f.get("redirect_uri") !== grant.redirect)
        return json(400, { error: "invalid_grant", error_description: "redirect_uri differs" });
      const verifier = f.get("code_verifier") ?? "";
      if (b64url(createHash("sha256").update(verifier).digest()) !== grant.challenge)
        return json(400, { error: "invalid_grant", error_description: "PKCE verification failed" });
      const now = Math.floor(Date.now() / 1000);
      const idToken = jwt(
        {
          iss: base,
          sub: subjectOf(grant.email),
          aud: clientId,
          iat: now,
          exp: now + 300,
          nonce: grant.nonce,
          email: grant.email,
          email_verified: state.emailVerified,
          name: grant.email.split("@")[0],
          ...(groups.has(grant.email) ? { groups: groups.get(grant.email) } : {}),
        },
        state.forge ? other : privateKey,
        kid,
      );
      return json(200, { ...tokensFor(grant.email), id_token: idToken });
    }
    json(404, { error: "not_found" });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    url: base,
    clientId,
    clientSecret,
    seen,
    groups,
    get forge() {
      return state.forge;
    },
    set forge(v: boolean) {
      state.forge = v;
    },
    get emailVerified() {
      return state.emailVerified;
    },
    set emailVerified(v: boolean) {
      state.emailVerified = v;
    },
    remove: (email: string) => {
      removed.add(email);
    },
    get refreshTokens() {
      return state.refreshTokens;
    },
    set refreshTokens(v: boolean) {
      state.refreshTokens = v;
    },
    get down() {
      return state.down;
    },
    set down(v: boolean) {
      state.down = v;
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
