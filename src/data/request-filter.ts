/** The request log's filter (GET /admin/v1/requests and /stats) as conditions on `request_log`. */
import type { Expression, ExpressionBuilder, SqlBool } from "kysely";
import type { Database } from "./schema.js";

export interface RequestFilter {
  key_id?: string | undefined;
  team_id?: string | undefined;
  user?: string | undefined;
  /** The alias, the model asked for, or the upstream model. */
  model?: string | undefined;
  provider?: string | undefined;
  deployment?: string | undefined;
  /** MCP tool calls to this server; `*`: to any server. */
  mcp_server?: string | undefined;
  /** `429`, or a class: `2xx`, `4xx`, `5xx`. */
  status?: string | undefined;
  outcome?: string | undefined;
  error_class?: string | undefined;
  client_tool?: string | undefined;
  /** `GET`, `POST`, … */
  method?: string | undefined;
  /** The path, exactly; ending in `*`, every path that starts with the rest. */
  path?: string | undefined;
  /**
   * The kind of call (`generate`: chat and the other generation routes, `embeddings`, `completions`,
   * `rerank`, `count_tokens`, …); `generate` also takes rows written before the kind was kept that name a model.
   */
  kind?: string | undefined;
  /**
   * `model`: only model calls (generation, embeddings, fill-in-the-middle, rerank); `other`: only the rest
   * (model lists, token counts, stored responses, unknown routes).
   */
  calls?: "model" | "other" | undefined;
  /** Only failed and refused requests. */
  errors?: boolean | undefined;
  /** Unix milliseconds, from inclusive, to exclusive. */
  from?: number | undefined;
  to?: number | undefined;
}

/** A filter value the query cannot use, with the field at fault. */
export class BadFilter extends Error {
  constructor(
    readonly field: string,
    message: string,
  ) {
    super(message);
  }
}

export type RequestLogEb = ExpressionBuilder<Database, "request_log">;

/** The filter as conditions on request_log (shared by the list and the stats). */
export function conditions(eb: RequestLogEb, f: RequestFilter): Expression<SqlBool>[] {
  const out: Expression<SqlBool>[] = [];
  if (f.key_id) out.push(eb("key_id", "=", f.key_id));
  if (f.team_id) out.push(eb("team_id", "=", f.team_id));
  if (f.user) out.push(eb("user_label", "=", f.user));
  if (f.model)
    out.push(eb.or([eb("alias", "=", f.model), eb("requested_model", "=", f.model), eb("model", "=", f.model)]));
  if (f.provider) out.push(eb("provider", "=", f.provider));
  if (f.deployment) out.push(eb("deployment", "=", f.deployment));
  if (f.mcp_server === "*") out.push(eb("mcp_server", "is not", null));
  else if (f.mcp_server) out.push(eb("mcp_server", "=", f.mcp_server));
  if (f.status) {
    const cls = /^([1-5])xx$/i.exec(f.status);
    if (cls) {
      const lo = Number(cls[1]) * 100;
      out.push(eb("status", ">=", lo), eb("status", "<", lo + 100));
    } else if (/^\d{3}$/.test(f.status)) out.push(eb("status", "=", Number(f.status)));
    else throw new BadFilter("status", `status must be a code like 429 or a class like 4xx, got '${f.status}'`);
  }
  if (f.method) out.push(eb("method", "=", f.method.toUpperCase()));
  if (f.path) {
    if (f.path.endsWith("*")) {
      const prefix = f.path.slice(0, -1);
      out.push(eb(eb.fn("substr", ["path", eb.val(1), eb.val(prefix.length)]), "=", prefix));
    } else out.push(eb("path", "=", f.path));
  }
  if (f.kind === "generate") out.push(generateCall(eb));
  else if (f.kind) out.push(eb("kind", "=", f.kind));
  if (f.calls === "model") out.push(modelCall(eb));
  if (f.calls === "other") out.push(eb.not(modelCall(eb)));
  if (f.outcome) out.push(eb("outcome", "=", f.outcome));
  if (f.errors) out.push(eb("outcome", "in", ["error", "refused"]));
  if (f.error_class) out.push(eb("error_class", "=", f.error_class));
  if (f.client_tool) out.push(eb("client_tool", "=", f.client_tool));
  if (f.from !== undefined) out.push(eb("at", ">=", f.from));
  if (f.to !== undefined) out.push(eb("at", "<", f.to));
  return out;
}

/** The kinds of call that are model calls: generation, embeddings, fill-in-the-middle, rerank. */
export const MODEL_KINDS = ["generate", "embeddings", "completions", "rerank"] as const;

/** A row written before the kind was kept: a model call when it names the model asked for (a generation). */
const legacyCall = (eb: RequestLogEb) => eb.and([eb("kind", "is", null), eb("requested_model", "is not", null)]);

/**
 * A model call (any of MODEL_KINDS). Never null (`kind in (…)` alone is null for a null kind, and `calls=other`
 * negates this: a row before kinds were kept that names no model is one of the others).
 */
export function modelCall(eb: RequestLogEb): Expression<SqlBool> {
  return eb.or([eb.and([eb("kind", "is not", null), eb("kind", "in", [...MODEL_KINDS])]), legacyCall(eb)]);
}

/** A generation (chat and the other generation routes). */
export function generateCall(eb: RequestLogEb): Expression<SqlBool> {
  return eb.or([eb("kind", "=", "generate"), legacyCall(eb)]);
}

/** Every condition of the filter, as one. */
export const matching = (f: RequestFilter) => (eb: RequestLogEb) => eb.and(conditions(eb, f));
