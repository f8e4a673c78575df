import type { IncomingMessage, ServerResponse } from "node:http";
import { z } from "zod";
import type { Config } from "../config/schema.js";
import type { Keys } from "../data/keys.js";
import { decodeJson } from "../http/decode-json.js";
import type { HttpNote } from "../http/note.js";
import { type BodyLimits, discardBody, readBody } from "../http/read-body.js";
import { sendJson } from "../http/reply.js";
import { keyDigest } from "../identity/identify.js";
import { Warnings } from "../ir/warnings.js";
import type { Provider } from "../providers/types.js";

const Body = z.object({ provider: z.string().min(1), api_key: z.string().min(1).max(4096) }).strict();

/**
 * The provider's model-list URL, made from its generation URL: one cheap, free call that an invalid key fails
 * (`…/chat/completions`, `…/responses`, `…/messages`, Azure `…/deployments/X/chat/completions` → `…/models`).
 */
export function modelsUrl(generationUrl: string): string {
  const u = new URL(generationUrl);
  u.pathname = u.pathname.replace(/\/(deployments\/[^/]+\/)?(chat\/completions|responses|messages)$/, "/models");
  return u.toString();
}

/** Per client address: at most `perHour` signups in any rolling hour. */
class AddressLimit {
  private readonly seen = new Map<string, number[]>();
  constructor(private readonly perHour: number) {}
  take(address: string): boolean {
    const now = Date.now();
    const recent = (this.seen.get(address) ?? []).filter((t) => now - t < 3600_000);
    if (recent.length >= this.perHour) {
      this.seen.set(address, recent);
      return false;
    }
    recent.push(now);
    this.seen.set(address, recent);
    if (this.seen.size > 100_000) this.seen.clear();
    return true;
  }
}

/**
 * `POST /v1/signup {provider, api_key}` (off unless `signup.enabled`): checks the upstream key with one call
 * to the provider's model list, stores it encrypted and answers a minted key bound to it, allowed the models
 * that provider serves. Rate-limited per client address.
 */
export class Signup {
  private readonly limit: AddressLimit;

  constructor(
    private readonly config: Config,
    private readonly keys: Keys,
    private readonly providers: ReadonlyMap<string, Provider>,
    private readonly limits: BodyLimits,
  ) {
    this.limit = new AddressLimit(config.signup.per_hour);
  }

  async serve(req: IncomingMessage, res: ServerResponse, note: HttpNote = {}): Promise<void> {
    const fail = (status: number, message: string, field?: string) => {
      sendJson(res, status, { error: { message, type: "invalid_request_error", ...(field ? { field } : {}) } });
      note.reason = message;
      discardBody(req, this.limits);
    };
    if (req.method !== "POST") return fail(405, "POST /v1/signup {provider, api_key}");
    const address = req.socket.remoteAddress ?? "?";
    if (!this.limit.take(address)) return fail(429, "too many signups from this address; try again later");
    let body: unknown;
    try {
      const decoded = decodeJson(await readBody(req, this.limits));
      if (!decoded.ok) return fail(400, `body: ${decoded.error.message}`);
      body = decoded.json;
    } catch {
      return fail(400, "body: could not be read");
    }
    const parsed = Body.safeParse(body);
    if (!parsed.success) {
      const issue = parsed.error.issues[0]!;
      const field = issue.code === "unrecognized_keys" ? issue.keys[0] : issue.path.join(".") || undefined;
      return fail(400, `${field ?? "body"}: ${issue.message}`, field);
    }
    const { provider: name, api_key } = parsed.data;
    const allowedProviders = this.config.signup.providers;
    const provider = this.providers.get(name);
    if (!provider || provider.local || (allowedProviders.length > 0 && !allowedProviders.includes(name)))
      return fail(400, `provider '${name}' does not take signups`, "provider");
    const verdict = await this.verify(provider, api_key);
    if (verdict) return fail(verdict.status, verdict.message, "api_key");
    const models = Object.entries(this.config.models)
      .filter(([, m]) => m.provider === name)
      .map(([alias]) => alias);
    const minted = await this.keys.create({
      name: `signup:${name}:${keyDigest(api_key).slice(0, 8)}`,
      models: models.length > 0 ? models : [`${name}/*`],
      credentials: { [name]: api_key },
      providers: [name],
    });
    sendJson(res, 201, {
      id: minted.id,
      key: minted.key,
      prefix: minted.prefix,
      provider: name,
      models: minted.models,
    });
  }

  /** undefined when the upstream accepted the key. */
  private async verify(provider: Provider, key: string): Promise<{ status: number; message: string } | undefined> {
    const target = provider.target("signup-check", {
      stream: false,
      callerKey: key,
      clientHeaders: {},
      sameDialect: true,
      warnings: new Warnings(),
    });
    const headers = { ...target.headers };
    delete headers["content-type"];
    try {
      const res = await fetch(modelsUrl(target.url), {
        headers,
        signal: AbortSignal.timeout(Math.min(provider.timeoutMs, 15_000)),
      });
      await res.arrayBuffer();
      if (res.ok) return undefined;
      if (res.status === 401 || res.status === 403)
        return { status: 400, message: `${provider.name} rejected the api_key (HTTP ${res.status})` };
      return { status: 502, message: `${provider.name} could not check the api_key (HTTP ${res.status})` };
    } catch (err) {
      return { status: 502, message: `${provider.name} is unreachable: ${(err as Error).message}` };
    }
  }
}
