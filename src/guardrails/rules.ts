/**
 * The public rule set of the guardrails: the secret shapes of gitleaks' default configuration
 * (https://github.com/gitleaks/gitleaks, config/gitleaks.toml, v8.21, MIT licence, © 2019 Zachary Rice),
 * the rules for the kinds of secret coding agents read most, rewritten as JavaScript regular expressions
 * (gitleaks' Go syntax has inline `(?i)` groups JavaScript lacks). Each rule names the part of its match that
 * is the secret (capture group 1 when it has one, else the whole match): a database URL keeps its user and
 * host, only the password is the secret.
 *
 * Why this and not secretlint's recommended preset: secretlint's rules are code run through its own async
 * linter per file (source files parsed, messages built), made for a pre-commit check; the guardrails scan
 * every request on the hot path, so they need plain expressions run over text in one pass. gitleaks' rules
 * are that, and cover every kind the guardrails must catch (secretlint has no Stripe, GitLab or JWT rule in its
 * preset's default set).
 */

export type RuleGroup = "secrets" | "entropy" | "pii" | "custom" | "llmux";

export const RULE_GROUPS: readonly RuleGroup[] = ["secrets", "entropy", "pii", "custom", "llmux"];

export interface Rule {
  readonly id: string;
  readonly group: RuleGroup;
  /** Global, with indices (`dg`): group 1, when the expression has one, is the secret. */
  readonly pattern: RegExp;
  /** A check the matched secret must pass (a Luhn sum, an IBAN's checksum, enough entropy). */
  readonly check?: (secret: string) => boolean;
  /** Words one of which must appear in the text for the rule to run at all (cheap pre-filter). */
  readonly keywords?: readonly string[];
}

const r = (id: string, pattern: string, keywords?: readonly string[], flags = ""): Rule => ({
  id,
  group: "secrets",
  pattern: new RegExp(pattern, `dg${flags}`),
  ...(keywords ? { keywords } : {}),
});

/** The secret shapes (group `secrets`), in gitleaks' rule ids. */
export const SECRET_RULES: readonly Rule[] = [
  r("aws-access-token", String.raw`\b((?:A3T[A-Z0-9]|AKIA|ASIA|ABIA|ACCA)[A-Z2-7]{16})\b`, [
    "A3T",
    "AKIA",
    "ASIA",
    "ABIA",
    "ACCA",
  ]),
  r(
    "aws-secret-access-key",
    String.raw`aws[\w.-]{0,20}(?:secret|private)[\w.-]{0,20}["']?\s*(?:=|:|=>|:=)\s*["']?([A-Za-z0-9/+]{40})(?![A-Za-z0-9/+])`,
    ["aws"],
    "i",
  ),
  r("github-pat", String.raw`\b(ghp_[0-9a-zA-Z]{36})\b`, ["ghp_"]),
  r("github-fine-grained-pat", String.raw`\b(github_pat_\w{82})\b`, ["github_pat_"]),
  r("github-oauth", String.raw`\b(gho_[0-9a-zA-Z]{36})\b`, ["gho_"]),
  r("github-app-token", String.raw`\b((?:ghu|ghs)_[0-9a-zA-Z]{36})\b`, ["ghu_", "ghs_"]),
  r("github-refresh-token", String.raw`\b(ghr_[0-9a-zA-Z]{36})\b`, ["ghr_"]),
  r("gitlab-pat", String.raw`\b(glpat-[\w-]{20,})`, ["glpat-"]),
  r("gitlab-ptt", String.raw`\b(glptt-[0-9a-f]{40})\b`, ["glptt-"]),
  r("gitlab-runner-token", String.raw`\b(glrt-[\w-]{20,})`, ["glrt-"]),
  r("slack-token", String.raw`\b(xox[abposre]-[0-9A-Za-z-]{10,})`, ["xox"]),
  r("slack-app-token", String.raw`\b(xapp-\d-[A-Z0-9]+-\d+-[a-z0-9]+)`, ["xapp-"], "i"),
  r("slack-webhook-url", String.raw`(hooks\.slack\.com/(?:services|workflows)/[A-Za-z0-9+/]{43,46})`, [
    "hooks.slack.com",
  ]),
  r("stripe-access-token", String.raw`\b((?:sk|rk)_(?:test|live|prod)_[a-zA-Z0-9]{10,99})\b`, ["sk_", "rk_"]),
  r("anthropic-api-key", String.raw`\b(sk-ant-(?:api|admin|oat|sid)\d{2}-[A-Za-z0-9_-]{20,})`, ["sk-ant-"]),
  r("openai-api-key", String.raw`\b(sk-(?:proj|svcacct|admin)-[A-Za-z0-9_-]{20,})`, [
    "sk-proj-",
    "sk-svcacct-",
    "sk-admin-",
  ]),
  r("openai-api-key-legacy", String.raw`\b(sk-[a-zA-Z0-9]{20}T3BlbkFJ[a-zA-Z0-9]{20})\b`, ["T3BlbkFJ"]),
  r(
    "private-key",
    String.raw`(-----BEGIN[ A-Z0-9_-]{0,100}PRIVATE KEY(?: BLOCK)?-----[\s\S]{64,}?-----END[ A-Z0-9_-]{0,100}PRIVATE KEY(?: BLOCK)?-----)`,
    ["PRIVATE KEY"],
  ),
  // A JWT's header and claims are base64 JSON objects: both start with eyJ (`{"`).
  r("jwt", String.raw`\b(eyJ[a-zA-Z0-9]{15,}\.eyJ[a-zA-Z0-9/\\_-]{15,}\.(?:[a-zA-Z0-9/\\_-]{10,}={0,2})?)`, ["eyJ"]),
  r("gcp-service-account-key-id", String.raw`"private_key_id"\s*:\s*"([a-f0-9]{40})"`, ["private_key_id"]),
  r("gcp-api-key", String.raw`\b(AIza[\w-]{35})(?![\w-])`, ["AIza"]),
  r("azure-storage-account-key", "AccountKey=([A-Za-z0-9+/]{40,}={0,2})", ["AccountKey="]),
  r(
    "database-url-password",
    String.raw`\b(?:postgres(?:ql)?|mysql|mariadb|mongodb(?:\+srv)?|rediss?|amqps?|mssql|sqlserver|clickhouse)://[^:/\s@'"]+:([^@/\s'"]{3,})@`,
    ["://"],
  ),
  r("npm-access-token", String.raw`\b(npm_[a-zA-Z0-9]{36})\b`, ["npm_"]),
  r("huggingface-access-token", String.raw`\b(hf_[a-zA-Z]{34})\b`, ["hf_"]),
  r("sendgrid-api-token", String.raw`\b(SG\.[\w-]{22}\.[\w-]{43})\b`, ["SG."]),
  r("pypi-upload-token", String.raw`\b(pypi-AgEIcHlwaS5vcmc[\w-]{50,})`, ["pypi-AgEIcHlwaS5vcmc"]),
  r("digitalocean-pat", String.raw`\b(dop_v1_[a-f0-9]{64})\b`, ["dop_v1_"]),
];

/** Shannon entropy of a string, bits per character. */
export function entropy(s: string): number {
  const counts = new Map<string, number>();
  for (const c of s) counts.set(c, (counts.get(c) ?? 0) + 1);
  let h = 0;
  for (const n of counts.values()) {
    const p = n / s.length;
    h -= p * Math.log2(p);
  }
  return h;
}

/**
 * gitleaks' generic-api-key: a value of 16 or more token characters assigned to a name that says it is a
 * secret (`api_key = …`, `"password": "…"`), with at least 3.5 bits of entropy per character, letters and
 * digits both, and not a placeholder.
 */
export const ENTROPY_RULE: Rule = {
  id: "generic-api-key",
  group: "entropy",
  pattern:
    /(?:key|secret|token|passw(?:or)?d|pwd|credential|auth)[\w.-]{0,20}["']?\s*(?:=|:|=>|:=)\s*["'`]?([A-Za-z0-9_\-+/=.~]{16,})/dgi,
  keywords: ["key", "secret", "token", "pass", "pwd", "credential", "auth", "KEY", "SECRET", "TOKEN", "PASS", "AUTH"],
  check: (s) =>
    entropy(s) >= 3.5 &&
    /[0-9]/.test(s) &&
    /[A-Za-z]/.test(s) &&
    !/^(?:x+|X+|\*+)$|example|placeholder|your[_-]|[_-]here|changeme|dummy|sample|redacted|LLMUX_MASK_/i.test(s),
};
