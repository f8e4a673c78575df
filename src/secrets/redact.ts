import type { Config } from "../config/schema.js";
import { secretsOf } from "../config/secrets-of.js";
import { keyringOf, openSealedSetting } from "./cipher.js";

/**
 * The one secret-redaction pass of llmux: every kept body of the request log (and a failed request's
 * reason, in its row and its log line) and every recording go through it before they are written. It removes
 * the secrets llmux knows wherever they appear: every field the configuration's schemas mark as a secret
 * (`secret(...)` in src/config/, found by `configSecrets`), the secrets learned at run time from the database
 * (a `SecretBook`: MCP servers' and keys' and teams' own credentials), and the request's own (the caller's key,
 * a minted key's upstream credentials); then the shapes of API keys and tokens, JSON members named like
 * secrets, and the patterns configured under `logging.redact`.
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

/**
 * Secrets learned while llmux runs, by where they came from (`mcp-stored`: the MCP servers and credentials kept
 * in the database, read again whenever they change): every redaction pass made with the book removes them too.
 */
export class SecretBook {
  private readonly bySource = new Map<string, readonly string[]>();
  private all: string[] = [];

  /** Replaces what `source` holds (none: forgets it). */
  learn(source: string, values: readonly string[]): void {
    const kept = values.flatMap(secretVariants);
    if (kept.length === 0) this.bySource.delete(source);
    else this.bySource.set(source, kept);
    this.all = longestFirst([...this.bySource.values()].flat());
  }

  /** Every learned secret, longest first. */
  values(): readonly string[] {
    return this.all;
  }
}

export class Redactor {
  private readonly patterns: RegExp[];
  private readonly known: string[];

  /**
   * `known`: secrets to remove wherever they are; `extra`: configured patterns (regular expressions); `book`:
   * secrets learned while running.
   */
  constructor(
    known: readonly (string | undefined)[],
    extra: readonly (string | RegExp)[] = [],
    private readonly book?: SecretBook,
  ) {
    // Longest first, so a secret that contains another is replaced whole.
    this.known = longestFirst(known);
    this.patterns = [...SHAPES, ...extra.map((p) => (typeof p === "string" ? new RegExp(p, "g") : p))];
  }

  /** The same pass, with more secrets known (an exchange's own). */
  with(more: readonly string[]): Redactor {
    return more.length > 0
      ? new Redactor([...this.known, ...more], this.patterns.slice(SHAPES.length), this.book)
      : this;
  }

  /**
   * The text with every known secret (and `more`: this request's own), shape and pattern replaced by
   * [REDACTED]; `named`: also the values of JSON members named like secrets (`"api_key": "…"`).
   */
  redact(text: string, more: readonly string[] = [], named = true): string {
    let out = text;
    if (more.length) for (const s of longestFirst(more)) out = replaceAll(out, s);
    for (const s of this.known) out = replaceAll(out, s);
    if (this.book) for (const s of this.book.values()) out = replaceAll(out, s);
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

/**
 * A secret as it may appear: itself, and for a header value such as `Bearer <token>` the token alone.
 */
function secretVariants(v: string): string[] {
  if (v.length < MIN_SECRET) return [];
  const token = v.trim().split(/\s+/).pop();
  return token && token !== v && token.length >= MIN_SECRET ? [v, token] : [v];
}

/**
 * Every secret the configuration holds: each field its schemas mark with `secret(...)` (src/config/), as the
 * field holds it (a URL's password, a service account's key and its lines, a sealed setting opened with the
 * master key). None of them may reach a kept body, a recording, a log or an answer.
 */
export function configSecrets(config: Config): string[] {
  const keyring = keyringOf(config.secrets);
  return secretsOf(config).flatMap(({ value, kind }) => {
    if (kind === "url") return [password(value)].filter((s): s is string => s !== undefined);
    if (kind === "service_account") return serviceAccount(value);
    const opened = openSealedSetting(value, keyring);
    return [value, ...(opened !== undefined && opened !== value ? [opened] : [])].flatMap((v) =>
      secretVariants(v).length > 0 ? secretVariants(v) : [v],
    );
  });
}

/** The redaction pass of a configuration: its secrets, the shapes of keys, `logging.redact`, and a book's. */
export function redactorOf(config: Config, book?: SecretBook): Redactor {
  return new Redactor(configSecrets(config), config.logging.redact, book);
}
