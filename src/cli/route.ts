/**
 * `llmux route --explain FILE.json [--key KEY]`: the routing decision for a request body and a key, without
 * sending it — the gateway's own plan-stage code (src/pipeline/explain.ts) over the configuration and, for a
 * minted key, the store's keys and teams.
 */
import { readFileSync } from "node:fs";
import type { IncomingHttpHeaders } from "node:http";
import { resolveConfig } from "../config/resolve.js";
import type { Config } from "../config/schema.js";
import { Identifier, isRefusal } from "../identity/identify.js";
import { configResolvers } from "../identity/resolvers.js";
import { isObject } from "../ir/input-error.js";
import type { Json } from "../ir/types.js";
import { type Explained, explain } from "../pipeline/explain.js";
import { RoutingDeps } from "../pipeline/route-rules.js";
import { createProviders } from "../providers/index.js";
import { ModelTable } from "../routing/model-table.js";
import { matchRoute } from "../server/routes.js";
import { TeamParts } from "../server/team-parts.js";
import type { Command } from "./command.js";
import { UsageError } from "./command.js";
import { optFlag, optString } from "./values.js";

/** Most bytes of a request file read. */
const MAX_FILE = 32 * 1024 * 1024;

/** A request file: a bare body, or a recorded request (`{method, url, headers, body}`, the real-client fixtures). */
export interface RequestFile {
  readonly path: string;
  readonly headers: IncomingHttpHeaders;
  readonly body: Json;
}

export function requestFileOf(text: string, path?: string, headers: readonly string[] = []): RequestFile {
  const json = JSON.parse(text) as Json;
  const recorded = isObject(json) && isObject(json.body) && (typeof json.url === "string" || isObject(json.headers));
  const h: IncomingHttpHeaders = {};
  if (recorded && isObject(json.headers))
    for (const [k, v] of Object.entries(json.headers)) if (typeof v === "string") h[k.toLowerCase()] = v;
  for (const line of headers) {
    const i = line.indexOf(":");
    if (i <= 0) throw new UsageError(`--header takes 'name: value', not '${line}'`, "route");
    h[line.slice(0, i).trim().toLowerCase()] = line.slice(i + 1).trim();
  }
  const url = path ?? (recorded && typeof json.url === "string" ? json.url : "/v1/messages");
  return { path: url, headers: h, body: recorded ? (json.body as Json) : json };
}

/** The decision for a request file and a key under a configuration (the store is opened for minted keys). */
export async function explainRequest(config: Config, file: RequestFile, key: string | undefined): Promise<Explained> {
  const matched = matchRoute("POST", file.path);
  if (matched?.kind !== "generate")
    throw new UsageError(`'${file.path}' is not a generation route (/v1/messages, /v1/chat/completions, …)`, "route");
  const team =
    config.store.url || config.store.path ? new TeamParts(config, { bytes: 1 << 20, timeoutMs: 10_000 }) : undefined;
  try {
    const identifier = new Identifier([...(team?.resolvers ?? []), ...configResolvers(config.auth)]);
    const headers: IncomingHttpHeaders = { ...file.headers };
    delete headers["x-api-key"];
    delete headers["x-goog-api-key"];
    if (key) headers.authorization = `Bearer ${key}`;
    else delete headers.authorization;
    const principal = await identifier.identify(headers);
    if (isRefusal(principal))
      return { agent: "main", tags: [], deployments: [], refused: { status: 401, message: principal.message } };
    return await explain({
      dialect: matched.dialect,
      path: file.path.split("?")[0]!,
      pathModel: matched.model,
      headers,
      body: file.body,
      principal,
      models: new ModelTable(config.models, createProviders(config)),
      routing: new RoutingDeps(config.routing.rules, config.billing.timezone),
      config,
    });
  } finally {
    await team?.close();
  }
}

function words(e: Explained): string {
  const lines: string[] = [];
  const line = (k: string, v: string | undefined) => {
    if (v !== undefined && v !== "") lines.push(`${k.padEnd(12)}${v}`);
  };
  line("requested", e.requested);
  line("client", e.client);
  line("agent", e.agent === "sub" ? "sub-agent" : "main loop");
  line("tags", e.tags.join(", "));
  line("rule", e.rule ? `${e.rule.name}: ${e.rule.why}` : "none held");
  line("alias", e.alias);
  line("deployments", e.deployments.join(", "));
  line("upstream", e.upstreamModel);
  line("llmux-route", e.route);
  if (e.refused) line("refused", `${e.refused.status}: ${e.refused.message}`);
  return `${lines.join("\n")}\n`;
}

export const routeCommand: Command = {
  name: "route",
  summary: "Explain how a request would be routed (rules, aliases, patterns, deployments), without sending it.",
  description: [
    "Reads a request body (or a recorded request: {url, headers, body}) and prints the decision the gateway",
    "would take for it with the given key: the routing rule that holds and why, the alias, its deployments",
    "and the llmux-route header its answer would carry. Nothing is sent. A soft budget's downgrade is decided",
    "when the request is admitted (it reads the budget) and is not foreseen here.",
  ].join("\n"),
  options: {
    explain: { type: "string", value: "FILE", description: "The request (JSON) to explain." },
    key: { type: "string", value: "KEY", description: "The API key it would be sent with (a service or minted key)." },
    path: {
      type: "string",
      value: "PATH",
      description: "The route it would be sent to (default: the file's url, else /v1/messages).",
    },
    header: { type: "string", value: "'NAME: VALUE'", description: "A header it would carry.", multiple: true },
    config: { type: "string", short: "c", value: "FILE", description: "The configuration file." },
    json: { type: "boolean", description: "Print JSON (for scripts)." },
  },
  examples: [
    "llmux route --explain request.json",
    "llmux route --explain request.json --key $KEY --header 'x-claude-code-agent-id: a1'",
  ],
  async run(input) {
    const file = optString(input, "explain");
    if (!file) throw new UsageError("give the request to explain: --explain FILE.json", "route");
    const { config } = resolveConfig({ config: optString(input, "config") }, input.env);
    const raw = readFileSync(file);
    if (raw.length > MAX_FILE) throw new UsageError(`${file} is larger than ${MAX_FILE} bytes`, "route");
    const h = input.values.header;
    const headers = (Array.isArray(h) ? h : h === undefined ? [] : [h]).map(String);
    const req = requestFileOf(raw.toString("utf8"), optString(input, "path"), headers);
    const e = await explainRequest(config, req, optString(input, "key"));
    process.stdout.write(optFlag(input, "json") ? `${JSON.stringify(e, null, 2)}\n` : words(e));
    return e.refused ? 1 : 0;
  },
};
