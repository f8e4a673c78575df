import { readFileSync } from "node:fs";
import type { AuthClient } from "google-auth-library";
import { isObject } from "../ir/input-error.js";
import type { Json, JsonObject } from "../ir/types.js";

/** The OAuth scope of every Google Cloud API (Vertex AI among them). */
export const CLOUD_PLATFORM_SCOPE = "https://www.googleapis.com/auth/cloud-platform";

/** Where Google's auth library exchanges a signed assertion for an access token. */
const GOOGLE_TOKEN_URL = "https://oauth2.googleapis.com/token";

/**
 * A service-account key given as its JSON (it starts with `{`) or as the path of its file. Throws, naming
 * `where`, when it cannot be read or is not a service-account key.
 */
export function readServiceAccount(value: string, where: string): JsonObject {
  const inline = value.trim().startsWith("{");
  let text = value;
  if (!inline) {
    try {
      text = readFileSync(value, "utf8");
    } catch (err) {
      throw new Error(`${where}: cannot read the key file '${value}' (${(err as NodeJS.ErrnoException).code ?? err})`);
    }
  }
  let parsed: Json;
  try {
    parsed = JSON.parse(text) as Json;
  } catch {
    throw new Error(`${where}: ${inline ? "the key" : `'${value}'`} is not JSON`);
  }
  if (!isObject(parsed) || typeof parsed.client_email !== "string" || typeof parsed.private_key !== "string")
    throw new Error(`${where}: not a service-account key (it needs client_email and private_key)`);
  return parsed;
}

function urlText(url: unknown): string {
  return url instanceof URL ? url.href : String(url);
}

/**
 * Access tokens for Google Cloud, from a service-account key or Application Default Credentials
 * (GOOGLE_APPLICATION_CREDENTIALS, the gcloud user's, the metadata server), through Google's own auth
 * library: it signs the JWT assertion, exchanges it, caches the token and fetches a new one before it
 * expires. A key's `token_uri` is honoured (Google's Python library does the same; private and test
 * token endpoints use it).
 */
export class GoogleTokens {
  private client: Promise<AuthClient> | undefined;

  constructor(private readonly key: JsonObject | undefined) {}

  /** The headers that authenticate one call: `authorization`, and `x-goog-user-project` when the credentials name one. */
  async headers(): Promise<Record<string, string>> {
    const client = await this.ready();
    const headers = await client.getRequestHeaders();
    const out: Record<string, string> = {};
    headers.forEach((value, name) => {
      out[name.toLowerCase()] = value;
    });
    if (!out.authorization) throw new Error("Google's auth library gave no access token");
    return out;
  }

  private ready(): Promise<AuthClient> {
    if (!this.client) {
      this.client = this.make();
      // A failure (no credentials yet, a network error) is not kept: the next call tries again.
      this.client.catch(() => {
        this.client = undefined;
      });
    }
    return this.client;
  }

  private async make(): Promise<AuthClient> {
    // Google's library is loaded on the first call (llmux without Vertex never loads it).
    const { GoogleAuth } = await import("google-auth-library");
    const auth = new GoogleAuth({ scopes: [CLOUD_PLATFORM_SCOPE], ...(this.key ? { credentials: this.key } : {}) });
    const client = await auth.getClient();
    const json = (this.key ?? auth.jsonContent) as JsonObject | null;
    const tokenUri = json && typeof json.token_uri === "string" ? json.token_uri : undefined;
    if (tokenUri && tokenUri !== GOOGLE_TOKEN_URL) {
      client.transporter.interceptors.request.add({
        resolved: async (config) => {
          if (urlText(config.url) === GOOGLE_TOKEN_URL) config.url = new URL(tokenUri);
          return config;
        },
      });
    }
    return client;
  }
}
