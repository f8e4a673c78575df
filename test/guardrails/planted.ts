import { createHash } from "node:crypto";

/**
 * Planted secrets of every kind the guardrails must catch, built at run time from pieces and a seeded
 * generator: the repository holds no string that looks like a real secret (GitHub push protection, and the
 * project's own false-positive scan stays meaningful). Each has the text it is planted in and the secret a
 * mask must keep from the upstream.
 */

const ALNUM = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
const UPPER32 = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";
const B64 = `${ALNUM}+/`;
const HEX = "0123456789abcdef";

/** `n` characters of `alphabet`, the same for the same seed. */
export function chars(seed: string, n: number, alphabet = ALNUM): string {
  let out = "";
  let block = 0;
  while (out.length < n) {
    const h = createHash("sha256").update(`${seed}:${block++}`).digest();
    for (const b of h) if (out.length < n) out += alphabet[b % alphabet.length];
  }
  return out;
}

export interface Planted {
  readonly kind: string;
  /** The rule that must find it. */
  readonly rule: string;
  /** The text as an agent would paste it (a line of a .env, a JSON file…). */
  readonly text: string;
  /** The secret itself: what must never reach the upstream when masked. */
  readonly secret: string;
}

const join = (...parts: string[]) => parts.join("");
const b64url = (s: string) => Buffer.from(s).toString("base64url");

function pem(seed: string, label: string): string {
  const body = chars(seed, 64 * 6, B64)
    .match(/.{64}/g)!
    .join("\n");
  return join("-----BEGIN ", label, " KEY-----\n", body, "\n-----END ", label, " KEY-----");
}

export function planted(seed = "s"): Planted[] {
  const aws = join("AK", "IA", chars(`${seed}aws`, 16, UPPER32));
  const awsSecret = chars(`${seed}awss`, 40, B64);
  const gh = join("gh", "p_", chars(`${seed}gh`, 36));
  const gl = join("gl", "pat-", chars(`${seed}gl`, 20));
  const slack = join(
    "xo",
    "xb-",
    chars(`${seed}sl1`, 12, "0123456789"),
    "-",
    chars(`${seed}sl2`, 13, "0123456789"),
    "-",
    chars(`${seed}sl3`, 24),
  );
  const stripe = join("sk", "_live_", chars(`${seed}st`, 24));
  const openai = join("sk", "-proj-", chars(`${seed}oa`, 48));
  const anthropic = join("sk", "-ant-api03-", chars(`${seed}an`, 93), "AA");
  const key = pem(`${seed}pem`, "RSA PRIVATE");
  const jwt = [
    b64url(JSON.stringify({ alg: "HS256", typ: "JWT" })),
    b64url(JSON.stringify({ sub: chars(`${seed}jwt`, 12), name: "planted", iat: 1700000000 })),
    chars(`${seed}jws`, 43, `${ALNUM}_-`),
  ].join(".");
  const saKey = pem(`${seed}sa`, "PRIVATE");
  const saKeyId = chars(`${seed}said`, 40, HEX);
  const sa = JSON.stringify(
    {
      type: "service_account",
      project_id: "planted-project",
      private_key_id: saKeyId,
      private_key: `${saKey}\n`,
      client_email: "planted@planted-project.iam.gserviceaccount.com",
    },
    null,
    2,
  );
  const azure = join(chars(`${seed}az`, 86, B64), "==");
  const dbPassword = chars(`${seed}db`, 20);
  const npm = join("np", "m_", chars(`${seed}npm`, 36));
  const google = join("AI", "za", chars(`${seed}gk`, 35, `${ALNUM}_-`));
  return [
    { kind: "AWS access key", rule: "aws-access-token", text: `AWS_ACCESS_KEY_ID=${aws}`, secret: aws },
    {
      kind: "AWS secret key",
      rule: "aws-secret-access-key",
      text: `aws_secret_access_key = ${awsSecret}`,
      secret: awsSecret,
    },
    { kind: "GitHub token", rule: "github-pat", text: `GITHUB_TOKEN=${gh}`, secret: gh },
    { kind: "GitLab token", rule: "gitlab-pat", text: `gitlab: ${gl}`, secret: gl },
    { kind: "Slack token", rule: "slack-token", text: `SLACK_BOT=${slack}`, secret: slack },
    { kind: "Stripe key", rule: "stripe-access-token", text: `STRIPE=${stripe}`, secret: stripe },
    { kind: "OpenAI key", rule: "openai-api-key", text: `OPENAI_API_KEY=${openai}`, secret: openai },
    { kind: "Anthropic key", rule: "anthropic-api-key", text: `ANTHROPIC_API_KEY=${anthropic}`, secret: anthropic },
    { kind: "PEM private key", rule: "private-key", text: `server.key:\n${key}\n`, secret: key },
    { kind: "JWT", rule: "jwt", text: `Authorization header was ${jwt} yesterday`, secret: jwt },
    { kind: "GCP service-account JSON", rule: "private-key", text: sa, secret: saKey.split("\n")[1]! },
    {
      kind: "Azure storage connection string",
      rule: "azure-storage-account-key",
      text: `DefaultEndpointsProtocol=https;AccountName=planted;AccountKey=${azure};EndpointSuffix=core.windows.net`,
      secret: azure,
    },
    {
      kind: "database URL with password",
      rule: "database-url-password",
      text: `DATABASE_URL=postgres://app:${dbPassword}@db.internal:5432/app`,
      secret: dbPassword,
    },
    { kind: "npm token", rule: "npm-access-token", text: `//registry.npmjs.org/:_authToken=${npm}`, secret: npm },
    { kind: "Google API key", rule: "gcp-api-key", text: `GOOGLE_API_KEY=${google}`, secret: google },
  ];
}
