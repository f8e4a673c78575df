/**
 * The routing decision for a request, without sending it (`llmux route --explain`): the same steps the
 * gateway's plan stage takes — what the headers say of the caller's tool, agent and tags, the routing
 * rules (route-rules.ts), the model table, the plan (plan.ts) — and the first deployment the attempt loop
 * would try, in the words of the `llmux-route` header. A soft budget's downgrade is decided at admission (it
 * reads the budget), so it is not foreseen here.
 */
import type { IncomingHttpHeaders } from "node:http";
import { detectClient } from "../clients/detect.js";
import { sessionOf } from "../clients/session.js";
import { tagsOf } from "../clients/tags.js";
import { detectClientTool } from "../clients/tool.js";
import type { Config } from "../config/schema.js";
import type { Principal } from "../identity/principal.js";
import { isObject } from "../ir/input-error.js";
import type { Dialect, ErrorInfo, Json } from "../ir/types.js";
import { refusalFor } from "../limits/allow-list.js";
import { isPlan } from "../request/plan.js";
import { type ModelTable, type Route, routeWords } from "../routing/model-table.js";
import { plan } from "./plan.js";
import { type RoutingDeps, ruledRoute } from "./route-rules.js";

export interface ExplainInput {
  readonly dialect: Dialect;
  /** The request's path (Cursor is recognised by it, among other things). */
  readonly path: string;
  /** The model the path names (Azure deployment routes, Gemini), over the body's. */
  readonly pathModel?: string | undefined;
  readonly headers: IncomingHttpHeaders;
  readonly body: Json;
  readonly principal: Principal;
  readonly models: ModelTable;
  readonly routing: RoutingDeps;
  readonly config: Pick<Config, "cursor" | "defaults">;
}

export interface Explained {
  /** The model asked for. */
  readonly requested?: string | undefined;
  /** The caller's tool, agent and tags, as the rules saw them. */
  readonly client?: string | undefined;
  readonly agent: "main" | "sub";
  readonly tags: readonly string[];
  /** The rule that routed it, and why. */
  readonly rule?: { readonly name: string; readonly why: string } | undefined;
  /** The alias (or pattern) that serves it, and how it was reached. */
  readonly alias?: string | undefined;
  readonly via?: string | undefined;
  /** Its deployments, the first (the one tried first, affinity and health aside) first. */
  readonly deployments: readonly string[];
  readonly upstreamModel?: string | undefined;
  readonly passthrough?: boolean | undefined;
  /** How the `llmux-route` header of the answer begins when its first deployment serves it. */
  readonly route?: string | undefined;
  /** Why it would be refused (no such model, the key may not use it, the request is invalid). */
  readonly refused?: { readonly status: number; readonly message: string } | undefined;
}

function refused(base: Omit<Explained, "deployments">, e: ErrorInfo): Explained {
  return { ...base, deployments: [], refused: { status: e.status, message: e.message } };
}

/** The decision for one request, as the gateway would take it, with nothing sent. */
export async function explain(input: ExplainInput): Promise<Explained> {
  const { headers, body, principal } = input;
  const cursor =
    input.config.cursor.detect !== "never" &&
    detectClient(input.dialect, input.path, headers, body, input.config.cursor.detect === "always") === "cursor";
  const client = detectClientTool(headers) ?? (cursor ? "cursor" : undefined);
  const agent = sessionOf(headers, body).agent;
  const tags = tagsOf(headers).tags;
  const named = input.pathModel ?? (isObject(body) ? body.model : undefined);
  const requested = typeof named === "string" && named.length > 0 ? named : undefined;
  const base = { requested, client, agent: agent !== undefined ? ("sub" as const) : ("main" as const), tags };
  let route: Route | undefined;
  let rule: Explained["rule"];
  if (requested) {
    const ruled = await ruledRoute(
      { requested, dialect: input.dialect, body, principal, client, agent, tags },
      input.routing,
      input.models,
    );
    if (ruled && !("route" in ruled)) return refused(base, ruled);
    if (ruled) {
      route = ruled.route;
      rule = { name: ruled.matched.rule, why: ruled.matched.why };
    }
  }
  const p = plan({
    client: input.dialect,
    body,
    pathModel: input.pathModel,
    models: input.models,
    caller: principal,
    defaults: { policy: input.config.defaults.policy, reasoningDisplay: input.config.defaults.reasoning_display },
    clientName: cursor ? "cursor" : "generic",
    owner: principal.owner,
    route,
  });
  if (!isPlan(p)) return refused({ ...base, rule }, p);
  // The admit stage's allow-list check, as the gateway makes it.
  const denied = refusalFor(principal, p.route);
  if (denied) return refused({ ...base, rule, alias: p.route.alias }, denied);
  const words = routeWords(p.route);
  const first = p.route.deployments[0];
  return {
    ...base,
    rule,
    alias: p.route.alias,
    via: words,
    deployments: p.route.deployments.map((d) => d.name),
    upstreamModel: p.route.upstreamModel,
    passthrough: p.passthrough,
    route: first ? `${first.name}${words ? ` (${words})` : ""}` : undefined,
  };
}
