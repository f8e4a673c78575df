/**
 * A local stand-in for Google Cloud: an OAuth token endpoint that checks a service account's signed JWT
 * assertion (RS256, against the key pair made for the test) before it issues an access token, and Vertex
 * AI's publisher endpoints, which refuse a call without a live token and answer in the real framing:
 * Gemini's streamGenerateContent SSE (CRLF-framed) or generateContent JSON, Anthropic's SSE for
 * streamRawPredict, its JSON for rawPredict. Replies are scripted (MockScript, rendered by the mock's
 * emitters) or errors in Google's shape.
 */
import { createPublicKey, createSign, createVerify, generateKeyPairSync, randomBytes } from "node:crypto";
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { anthropicBody, anthropicStream, geminiBody, geminiStream, type MockScript } from "../../src/mock/index.js";

export const TOKEN_AUDIENCE = "https://oauth2.googleapis.com/token";
const CLOUD_PLATFORM = "https://www.googleapis.com/auth/cloud-platform";

/** A service-account key as Google issues it, with a key pair made now; `token_uri` points at the fake. */
export function makeServiceAccount(tokenUri: string, project = "llmux-test"): Record<string, string> {
  const { privateKey } = generateKeyPairSync("rsa", { modulusLength: 2048 });
  return {
    type: "service_account",
    project_id: project,
    private_key_id: randomBytes(20).toString("hex"),
    private_key: privateKey.export({ type: "pkcs8", format: "pem" }).toString(),
    client_email: `llmux-test@${project}.iam.gserviceaccount.com`,
    client_id: "104242424242424242424",
    auth_uri: "https://accounts.google.com/o/oauth2/auth",
    token_uri: tokenUri,
    universe_domain: "googleapis.com",
  };
}

export interface VertexCall {
  path: string;
  headers: IncomingMessage["headers"];
  body: Record<string, unknown>;
  raw: string;
}

export type VertexReply =
  | { script: MockScript }
  /** Codestral on Vertex (publishers/mistralai, rawPredict / streamRawPredict): Mistral's FIM answer, this text. */
  | { fim: string }
  /** An HTTP error: Google's `{error: {code, message, status}}`, or `body` as given. */
  | { status: number; googleStatus?: string; message?: string; body?: unknown };

export interface VertexFake {
  url: string;
  /** The service account the token endpoint accepts. */
  key: Record<string, string>;
  calls: VertexCall[];
  /** Token requests the endpoint answered (granted or not). */
  tokenRequests: { granted: boolean; why?: string }[];
  /** Seconds each issued token lives. */
  tokenLifetime: number;
  /** The token endpoint takes requests and never answers (a hung endpoint). */
  tokenStall: boolean;
  enqueue(...replies: VertexReply[]): void;
  /** Drops the replies still queued. */
  reset(): void;
  close(): Promise<void>;
}

function read(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => resolve(Buffer.concat(chunks).toString("utf8")));
    req.on("error", reject);
  });
}

function json(res: ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { "content-type": "application/json; charset=UTF-8" });
  res.end(JSON.stringify(body));
}

function googleError(res: ServerResponse, code: number, status: string, message: string): void {
  json(res, code, { error: { code, message, status } });
}

/** Why a JWT assertion is not one this key signed for Google's token endpoint (undefined: it is). */
export function assertionProblem(assertion: string, key: Record<string, string>, now = Date.now()): string | undefined {
  const parts = assertion.split(".");
  if (parts.length !== 3) return "not a JWT";
  const [h, p, s] = parts as [string, string, string];
  const header = JSON.parse(Buffer.from(h, "base64url").toString()) as { alg?: string };
  if (header.alg !== "RS256") return `alg ${header.alg}`;
  const verify = createVerify("RSA-SHA256");
  verify.update(`${h}.${p}`);
  // Checked with the public half of the service account's key.
  const ok = verify.verify(createPublicKey(key.private_key!), Buffer.from(s, "base64url"));
  if (!ok) return "bad signature";
  const claims = JSON.parse(Buffer.from(p, "base64url").toString()) as Record<string, unknown>;
  if (claims.iss !== key.client_email) return `iss ${String(claims.iss)}`;
  if (claims.aud !== TOKEN_AUDIENCE) return `aud ${String(claims.aud)}`;
  if (
    !String(claims.scope ?? "")
      .split(" ")
      .includes(CLOUD_PLATFORM)
  )
    return `scope ${String(claims.scope)}`;
  const secs = now / 1000;
  if (typeof claims.exp !== "number" || claims.exp < secs) return "expired";
  if (typeof claims.iat !== "number" || claims.iat > secs + 60) return "issued in the future";
  return undefined;
}

/** Signs a JWT with a key, as an independent check that `assertionProblem` can tell good from bad. */
export function signAssertion(key: Record<string, string>, claims: Record<string, unknown>): string {
  const h = Buffer.from(JSON.stringify({ alg: "RS256", typ: "JWT" })).toString("base64url");
  const p = Buffer.from(JSON.stringify(claims)).toString("base64url");
  const sign = createSign("RSA-SHA256");
  sign.update(`${h}.${p}`);
  return `${h}.${p}.${sign.sign(key.private_key!, "base64url")}`;
}

const ROUTE =
  /^\/v1\/projects\/([^/]+)\/locations\/([^/]+)\/publishers\/(google|anthropic|mistralai)\/models\/([^/:]+):([A-Za-z]+)$/;

/** The fields Mistral documents for a FIM request (Codestral on Vertex takes Mistral's body as it is). */
const MISTRAL_FIM_FIELDS = new Set([
  "model",
  "prompt",
  "suffix",
  "max_tokens",
  "min_tokens",
  "temperature",
  "top_p",
  "stop",
  "random_seed",
  "stream",
]);

/** Codestral on Vertex: Mistral's FIM answer (streamed as Mistral streams it), or why the body is not Mistral's. */
function mistralFim(res: ServerResponse, model: string, method: string, body: Record<string, unknown>, text: string) {
  const extra = Object.keys(body).find((k) => !MISTRAL_FIM_FIELDS.has(k));
  const problem =
    extra !== undefined
      ? `${extra}: Extra inputs are not permitted`
      : typeof body.prompt !== "string"
        ? "prompt: Field required"
        : body.model !== model
          ? `model: '${String(body.model)}' is not the model of the URL ('${model}')`
          : undefined;
  if (problem) {
    json(res, 422, { object: "error", message: problem, type: "invalid_request_error" });
    return;
  }
  const usage = { prompt_tokens: 9, completion_tokens: 4, total_tokens: 13 };
  const head = { id: "fim-1", object: "chat.completion.chunk", created: 1, model };
  if (method === "streamRawPredict") {
    res.writeHead(200, { "content-type": "text/event-stream; charset=utf-8" });
    const words = text.split(/(?<= )/);
    for (const w of words)
      res.write(
        `data: ${JSON.stringify({ ...head, choices: [{ index: 0, delta: { content: w }, finish_reason: null }] })}\n\n`,
      );
    res.write(
      `data: ${JSON.stringify({ ...head, choices: [{ index: 0, delta: { content: "" }, finish_reason: "stop" }], usage })}\n\n`,
    );
    res.end("data: [DONE]\n\n");
    return;
  }
  json(res, 200, {
    ...head,
    object: "chat.completion",
    choices: [{ index: 0, message: { role: "assistant", content: text }, finish_reason: "stop" }],
    usage,
  });
}

export async function startVertexFake(project = "llmux-test"): Promise<VertexFake> {
  const tokens = new Map<string, number>();
  const queue: VertexReply[] = [];
  const fake: VertexFake = {
    url: "",
    key: {},
    calls: [],
    tokenRequests: [],
    tokenLifetime: 3600,
    tokenStall: false,
    enqueue: (...r) => queue.push(...r),
    reset: () => {
      queue.length = 0;
    },
    close: () =>
      new Promise((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections(); // a stalled request (a hung token endpoint) must not hold the close
      }),
  };

  const server = createServer(async (req, res) => {
    const raw = await read(req);
    const url = new URL(req.url ?? "/", "http://x");
    if (req.method === "POST" && url.pathname === "/token") {
      if (fake.tokenStall) return;
      const form = new URLSearchParams(raw);
      const why =
        form.get("grant_type") !== "urn:ietf:params:oauth:grant-type:jwt-bearer"
          ? `grant_type ${form.get("grant_type")}`
          : assertionProblem(form.get("assertion") ?? "", fake.key);
      fake.tokenRequests.push(why ? { granted: false, why } : { granted: true });
      if (why) {
        json(res, 400, { error: "invalid_grant", error_description: why });
        return;
      }
      const token = `ya29.${randomBytes(24).toString("base64url")}`;
      tokens.set(token, Date.now() + fake.tokenLifetime * 1000);
      json(res, 200, { access_token: token, expires_in: fake.tokenLifetime, token_type: "Bearer" });
      return;
    }
    const m = ROUTE.exec(url.pathname);
    if (req.method !== "POST" || !m) {
      googleError(res, 404, "NOT_FOUND", `no route ${req.method} ${url.pathname}`);
      return;
    }
    const body = raw ? (JSON.parse(raw) as Record<string, unknown>) : {};
    fake.calls.push({ path: `${url.pathname}${url.search}`, headers: req.headers, body, raw });
    const bearer = /^Bearer (.+)$/.exec(req.headers.authorization ?? "")?.[1];
    const expires = bearer ? tokens.get(bearer) : undefined;
    if (!expires || expires < Date.now()) {
      googleError(
        res,
        401,
        "UNAUTHENTICATED",
        "Request had invalid authentication credentials. Expected OAuth 2 access token.",
      );
      return;
    }
    const [, proj, , publisher, , method] = m;
    if (proj !== project) {
      googleError(res, 403, "PERMISSION_DENIED", `Permission denied on project ${proj}`);
      return;
    }
    if (method === "countTokens") {
      json(res, 200, { totalTokens: 42, totalBillableCharacters: 100 });
      return;
    }
    const reply = queue.shift();
    if (!reply) {
      googleError(res, 500, "INTERNAL", "the fake has no reply queued");
      return;
    }
    if ("fim" in reply) {
      if (publisher !== "mistralai") googleError(res, 400, "INVALID_ARGUMENT", `${publisher} does not do FIM here`);
      else mistralFim(res, m[4]!, method!, body, reply.fim);
      return;
    }
    if (!("script" in reply)) {
      if (reply.body !== undefined) json(res, reply.status, reply.body);
      else googleError(res, reply.status, reply.googleStatus ?? "UNKNOWN", reply.message ?? "error");
      return;
    }
    if (publisher === "anthropic") {
      // Claude on Vertex: Anthropic's body with Vertex's version, no model (it is in the URL).
      const problem =
        body.anthropic_version !== "vertex-2023-10-16"
          ? `anthropic_version must be vertex-2023-10-16, got ${String(body.anthropic_version)}`
          : "model" in body
            ? "model: Extra inputs are not permitted"
            : undefined;
      if (problem) {
        json(res, 400, { type: "error", error: { type: "invalid_request_error", message: problem } });
        return;
      }
      if (method === "streamRawPredict") {
        res.writeHead(200, { "content-type": "text/event-stream; charset=utf-8" });
        for (const e of anthropicStream(reply.script)) res.write(e);
        res.end();
      } else json(res, 200, anthropicBody(reply.script));
      return;
    }
    if (method === "streamGenerateContent") {
      res.writeHead(200, { "content-type": "text/event-stream" });
      for (const e of geminiStream(reply.script)) res.write(e);
      res.end();
    } else json(res, 200, geminiBody(reply.script));
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  fake.url = `http://127.0.0.1:${port}`;
  fake.key = makeServiceAccount(`${fake.url}/token`, project);
  return fake;
}
