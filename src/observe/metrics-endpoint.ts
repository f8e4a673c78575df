import { createHash, timingSafeEqual } from "node:crypto";
import { fullAdminSecrets } from "../config/admin-keys.js";
import type { Config } from "../config/schema.js";
import { answerJson, type HttpExchange as Exchange } from "../http/exchange.js";
import { presentedKey } from "../identity/identify.js";

export const METRICS_PATH = "/metrics";

const sha256 = (s: string) => createHash("sha256").update(s).digest();

/**
 * Who may read `/metrics`: anyone (`metrics.public`), or a bearer token that is `metrics.key` or one of
 * `admin.keys`. With none of these, nobody can, and the gateway collects nothing.
 */
export class MetricsAccess {
  private readonly keys: Buffer[];
  readonly enabled: boolean;
  readonly open: boolean;

  constructor(config: Pick<Config, "metrics" | "admin">) {
    this.enabled = config.metrics.enabled;
    this.open = config.metrics.public;
    this.keys = [...fullAdminSecrets(config.admin.keys), ...(config.metrics.key ? [config.metrics.key] : [])].map(
      sha256,
    );
  }

  /** Whether anyone can read the metrics (else they are not collected at all). */
  get readable(): boolean {
    return this.enabled && (this.open || this.keys.length > 0);
  }

  /** Undefined when the caller may read; else the status and why. */
  refusal(ex: Exchange): { status: number; message: string } | undefined {
    if (!this.enabled) return { status: 404, message: "metrics are off (metrics.enabled: false)" };
    if (!this.readable)
      return { status: 404, message: "metrics need a key: set admin.keys or metrics.key (or metrics.public: true)" };
    if (this.open) return undefined;
    const key = presentedKey(ex.req.headers);
    if (key === undefined)
      return { status: 401, message: "a key is required: Authorization: Bearer <metrics.key or an admin key>" };
    const d = sha256(key);
    let ok = false;
    for (const k of this.keys) ok = timingSafeEqual(k, d) || ok;
    return ok ? undefined : { status: 401, message: "the key is neither metrics.key nor one of admin.keys" };
  }
}

/** Answers GET /metrics: the Prometheus text of `source`, once the caller may read it. */
export async function serveMetrics(
  ex: Exchange,
  access: MetricsAccess,
  source: (() => Promise<{ text: string; type: string }>) | undefined,
): Promise<void> {
  ex.note.quiet = true;
  const method = ex.req.method ?? "GET";
  ex.req.resume();
  const refused = access.refusal(ex);
  if (refused) {
    const type = refused.status === 401 ? "authentication_error" : "not_found";
    answerJson(ex, refused.status, { error: { message: refused.message, type } });
    ex.note.reason = refused.message;
    ex.note.quiet = false;
    return;
  }
  if (method !== "GET" && method !== "HEAD") {
    answerJson(ex, 405, { error: { message: "GET /metrics", type: "invalid_request_error" } }, { allow: "GET, HEAD" });
    return;
  }
  let out: { text: string; type: string };
  try {
    out = await source!();
  } catch (err) {
    answerJson(ex, 503, { error: { message: `metrics unavailable: ${(err as Error).message}`, type: "api_error" } });
    return;
  }
  ex.res.writeHead(200, { "content-type": out.type, "content-length": Buffer.byteLength(out.text) });
  ex.res.end(method === "HEAD" ? undefined : out.text);
}
