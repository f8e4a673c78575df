import { adminSecrets } from "../config/admin-keys.js";
import type { Config } from "../config/schema.js";
import { mcpCredentialValues } from "../config/schema-mcp.js";

/**
 * The one secret-redaction pass of llmux: every kept body of the request log (and a failed request's
 * reason) and every recording go through it before they are written. It removes the secrets llmux knows
 * (provider keys, service and admin keys, the metrics key, the master keys, database passwords, the caller's
 * key, a minted key's upstream credentials) wherever they appear, then the shapes of API keys and tokens,
 * JSON members named like secrets, and the patterns configured under `logging.redact`.
 *
 * (A recording's placeholder masking of text is another job: src/secrets/mask.ts, which uses this pass for
 * its keys.)
 */

export const REDACTED = "[REDACTED]";

/** Authorization: Bearer …, in headers echoed into bodies or in text (the scheme is kept). */
const BEARER = /\b([Bb]earer|BEARER|Basic)\s+[A-Za-z0-9._~+/=-]{8,}/g;

/** Shapes of secrets, whoever issued them. */
const SHAPES: RegExp[] = [
  // llmux minted keys, OpenAI (sk-, sk-proj-), Anthropic (sk-ant-…), OpenRouter (sk-or-…).
  /\blx-[A-Za-z0-9_-]{20,}/g,
  /\bsk-[A-Za-z0-9_-]{16,}/g,
  // Google API keys, GitHub tokens, AWS access key ids, Slack tokens, JWTs.
  /\bAIza[0-9A-Za-z_-]{30,}/g,
  /\bgh[pousr]_[A-Za-z0-9]{30,}/g,
  /\b(?:AKIA|ASIA)[0-9A-Z]{16}\b/g,
  /\bxox[abprs]-[A-Za-z0-9-]{10,}/g,
  /\beyJ[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]{8,}/g,
  // An AWS SigV4 signature and session token, as an upstream's error may quote them.
  /\b(?<=Signature=)[0-9a-fA-F]{16,}/g,
  /(?<=X-Amz-Security-Token[=:]\s?)[A-Za-z0-9%/+=]{16,}/gi,
  // A PEM private key (a service account's).
  /-----BEGIN [A-Z ]*PRIVATE KEY-----[\s\S]*?-----END [A-Z ]*PRIVATE KEY-----/g,
];

const NAMES =
  "api[_-]?key|x-api-key|x-goog-api-key|authorization|access[_-]?token|refresh[_-]?token|client[_-]?secret|password|secret|secret[_-]?access[_-]?key|session[_-]?token|private[_-]?key|session[_-]?secret";

/** Names of members whose values are secrets by their name (`api_key`, `authorization`…). */
export const SECRET_NAME = new RegExp(`^(?:${NAMES})$`, "i");

/** The same members in JSON text: `"api_key": "…"`. */
const NAMED = new RegExp(`("(?:${NAMES})"\\s*:\\s*)"(?:[^"\\\\]|\\\\.)*"`, "gi");

/** Secrets shorter than this are not redacted (they would redact words). */
const MIN_SECRET = 8;

const longestFirst = (list: readonly (string | undefined)[]) =>
  [...new Set(list.filter((s): s is string => typeof s === "string" && s.length >= MIN_SECRET))].sort(
    (a, b) => b.length - a.length,
  );

export class Redactor {
  private readonly patterns: RegExp[];
  private readonly known: string[];

  /** `known`: secrets to remove wherever they are; `extra`: configured patterns (regular expressions). */
  constructor(known: readonly (string | undefined)[], extra: readonly (string | RegExp)[] = []) {
    // Longest first, so a secret that contains another is replaced whole.
    this.known = longestFirst(known);
    this.patterns = [...SHAPES, ...extra.map((p) => (typeof p === "string" ? new RegExp(p, "g") : p))];
  }

  /** The same pass, with more secrets known (an exchange's own). */
  with(more: readonly string[]): Redactor {
    return more.length > 0 ? new Redactor([...this.known, ...more], this.patterns.slice(SHAPES.length)) : this;
  }

  /**
   * The text with every known secret (and `more`: this request's own), shape and pattern replaced by
   * [REDACTED]; `named`: also the values of JSON members named like secrets (`"api_key": "…"`).
   */
  redact(text: string, more: readonly string[] = [], named = true): string {
    let out = text;
    if (more.length) for (const s of longestFirst(more)) out = replaceAll(out, s);
    for (const s of this.known) out = replaceAll(out, s);
    if (named) out = out.replace(NAMED, `$1"${REDACTED}"`);
    out = out.replace(BEARER, `$1 ${REDACTED}`);
    for (const p of this.patterns) out = out.replace(p, REDACTED);
    return out;
  }
}

function replaceAll(text: string, secret: string): string {
  if (!text.includes(secret)) return text;
  return text.split(secret).join(REDACTED);
}

function password(url: string | undefined): string | undefined {
  if (!url) return undefined;
  try {
    return decodeURIComponent(new URL(url).password) || undefined;
  } catch {
    return undefined;
  }
}

/** A service account's secrets, when `credentials` is its JSON (not the path of its file). */
function serviceAccount(credentials: string | undefined): string[] {
  if (!credentials?.trimStart().startsWith("{")) return [];
  try {
    const sa = JSON.parse(credentials) as Record<string, unknown>;
    const key = typeof sa.private_key === "string" ? sa.private_key : undefined;
    // The key whole, and each line of its body (a quote of it may be cut or re-wrapped).
    const lines = key?.split("\n").filter((l) => l.length >= 16 && !l.startsWith("-----")) ?? [];
    return [credentials, key, sa.private_key_id, ...lines].filter((s): s is string => typeof s === "string");
  } catch {
    return [credentials];
  }
}

/** A provider's secrets: its keys, a cloud's credentials, and the values of the headers it sends. */
function providerSecrets(p: Config["providers"][string]): (string | undefined)[] {
  const o = p as Record<string, unknown>;
  const text = (k: string) => (typeof o[k] === "string" ? (o[k] as string) : undefined);
  const headers = o.headers && typeof o.headers === "object" ? Object.values(o.headers as Record<string, string>) : [];
  return [
    text("api_key"),
    text("access_key_id"),
    text("secret_access_key"),
    text("session_token"),
    ...serviceAccount(text("credentials")),
    ...headers,
  ];
}

/** Every secret the configuration holds: none of them may reach a kept body, a recording, a log or an answer. */
export function configSecrets(config: Config): string[] {
  return [
    ...Object.values(config.providers).flatMap(providerSecrets),
    config.admin.oidc?.client_secret,
    config.admin.ui.session_secret,
    ...config.auth.keys,
    ...adminSecrets(config.admin.keys),
    config.metrics.key,
    config.secrets.master_key,
    ...config.secrets.previous_master_keys,
    config.reasoning.secret,
    password(config.store.url),
    password(config.state.url),
    ...Object.values(config.mcp.servers).flatMap(mcpCredentialValues),
  ].filter((s): s is string => typeof s === "string");
}

/** The redaction pass of a configuration: its secrets, the shapes of keys, and `logging.redact`. */
export function redactorOf(config: Config): Redactor {
  return new Redactor(configSecrets(config), config.logging.redact);
}
