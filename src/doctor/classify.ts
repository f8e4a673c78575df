/**
 * What a refused request means (a wrong key, a missing deployment, an API version, a network failure…) and
 * the likely fix, in words naming the configuration key to change.
 */
import type { ProviderConfig } from "../config/schema.js";
import type { Outcome } from "./probe.js";
import type { CheckName, CheckResult } from "./types.js";

type Failed = Extract<Outcome, { ok: false }>;

export interface DeploymentContext {
  provider: string;
  config: ProviderConfig;
  model: string;
  /** The aliases this deployment serves (for fixes that name them). */
  aliases: string[];
  timeoutMs: number;
}

const AUTH =
  /api[ _-]?key|unauthori[sz]ed|authenticat|invalid[^.]*\b(key|token|credential)|subscription key|access denied|permission denied|x-api-key/i;
const API_VERSION = /api[ _-]?version/i;

function hostOf(cfg: ProviderConfig): string {
  const url = "base_url" in cfg && cfg.base_url ? cfg.base_url : "";
  try {
    return new URL(url).host || url;
  } catch {
    return url || cfg.type;
  }
}

/** The upstream's own words: its error message (without llmux's prefixes). */
export function upstreamWords(o: Failed): string {
  const status = o.status ? `${o.status} ` : "";
  return `${status}${o.error.message}`.trim();
}

const na = (summary: string): CheckResult => ({ mark: "na", summary });

function networkFix(o: Failed, ctx: DeploymentContext): CheckResult {
  const host = hostOf(ctx.config);
  const n = o.network!;
  const where = `providers.${ctx.provider}.base_url`;
  switch (n.stage) {
    case "dns":
      return {
        mark: "fail",
        summary: `${host} does not resolve (DNS: ${n.code})`,
        upstream: n.code,
        fix:
          ctx.config.type === "azure"
            ? `check ${where}: https://<your-resource>.openai.azure.com (the resource name as in the Azure portal)`
            : `check the host name in ${where}`,
      };
    case "tls":
      return {
        mark: "fail",
        summary: `the TLS handshake with ${host} failed (${n.code})`,
        upstream: n.code,
        fix: `${where} must be the provider's own HTTPS address; behind a proxy with its own certificate, give it to Node with NODE_EXTRA_CA_CERTS`,
      };
    case "connect":
      return {
        mark: "fail",
        summary: `nothing answers at ${host} (${n.code})`,
        upstream: n.code,
        fix: `check the host and port in ${where} (a local server: is it running?)`,
      };
    case "timeout":
      return {
        mark: "fail",
        summary: `${host} did not answer within ${Math.round(ctx.timeoutMs / 1000)} s`,
        upstream: n.code,
        fix: "check the network path to the provider (proxy, firewall); --timeout allows longer",
      };
    default:
      return {
        mark: "fail",
        summary: `${host} could not be reached (${n.code})`,
        upstream: n.code,
        fix: `check ${where}`,
      };
  }
}

function authFix(ctx: DeploymentContext): string {
  const key = `providers.${ctx.provider}.api_key`;
  if ("api_key" in ctx.config && !ctx.config.api_key) {
    return `${key} is not set (under auth.passthrough each caller brings its own key, which the doctor does not have): set it to probe this provider`;
  }
  switch (ctx.config.type) {
    case "azure":
      return `${key} must be a key of this Azure OpenAI resource (Azure portal → Keys and Endpoint), for the resource of base_url`;
    case "openai":
      return `${key} is not accepted by OpenAI: check it (and organization / project, if set) at platform.openai.com`;
    case "anthropic":
      return `${key} is not accepted by Anthropic: check it at console.anthropic.com`;
    case "gemini":
      return `${key} is not accepted by the Gemini API: check it at aistudio.google.com`;
    default:
      return `${key} is not accepted by ${hostOf(ctx.config)}: check the key the vendor gave you`;
  }
}

function modelFix(ctx: DeploymentContext): string {
  const alias = ctx.aliases[0] ?? "ALIAS";
  switch (ctx.config.type) {
    case "azure":
      return `no deployment '${ctx.model}' on this resource: models.${alias}.model must be a deployment name (Azure portal → Deployments), not a model name`;
    case "openai":
      return `OpenAI has no model '${ctx.model}' for this key: fix models.${alias}.model`;
    case "anthropic":
      return `Anthropic has no model '${ctx.model}': use a model id such as claude-sonnet-4-5 in models.${alias}.model`;
    case "gemini":
      return `the Gemini API has no model '${ctx.model}' for this key: use one such as gemini-2.5-pro in models.${alias}.model`;
    default:
      return `${hostOf(ctx.config)} has no model '${ctx.model}': use a name from its model list in models.${alias}.model`;
  }
}

/** reach, auth, model and api from the first, plainest request. */
export function classifyBasic(
  o: Outcome,
  ctx: DeploymentContext,
): Pick<Record<CheckName, CheckResult>, "reach" | "auth" | "model" | "api"> {
  const azureVersion = ctx.config.type === "azure" ? ctx.config.api_version : undefined;
  const apiNa = na(ctx.config.type === "azure" ? "the /openai/v1 API (no api_version)" : "only Azure has API versions");
  if (o.ok) {
    return {
      reach: { mark: "ok", summary: `HTTP ${o.status}` },
      auth: { mark: "ok", summary: "accepted" },
      model: { mark: "ok", summary: `'${ctx.model}' answers` },
      api: azureVersion ? { mark: "ok", summary: `api-version ${azureVersion} accepted` } : apiNa,
    };
  }
  if (o.network) {
    return { reach: networkFix(o, ctx), auth: na("not reached"), model: na("not reached"), api: na("not reached") };
  }
  const status = o.status ?? o.error.status;
  const words = upstreamWords(o);
  const reach: CheckResult = { mark: "ok", summary: `HTTP ${status}` };
  if (status === 401 || status === 403 || (status === 400 && AUTH.test(o.error.message))) {
    return {
      reach,
      auth: { mark: "fail", summary: "the key is refused", upstream: words, fix: authFix(ctx) },
      model: na("not checked (the key is refused)"),
      api: na("not checked (the key is refused)"),
    };
  }
  const auth: CheckResult = { mark: "ok", summary: "accepted" };
  if (azureVersion && (status === 400 || status === 404) && API_VERSION.test(o.error.message)) {
    return {
      reach,
      auth,
      model: na("not checked (API version refused)"),
      api: {
        mark: "fail",
        summary: `api-version ${azureVersion} is refused`,
        upstream: words,
        fix: `providers.${ctx.provider}.api_version: leave it out (the /openai/v1 API needs none) or use a current one such as 2025-04-01-preview`,
      },
    };
  }
  const api = azureVersion ? { mark: "ok" as const, summary: `api-version ${azureVersion} accepted` } : apiNa;
  if (
    status === 404 ||
    /not (be )?found|does not exist|no such model|unknown model|model_not_found/i.test(o.error.message)
  ) {
    return {
      reach,
      auth,
      api,
      model: { mark: "fail", summary: `'${ctx.model}' does not exist`, upstream: words, fix: modelFix(ctx) },
    };
  }
  if (status === 429) {
    return {
      reach,
      auth,
      api,
      model: {
        mark: "warn",
        summary: "rate limited",
        upstream: words,
        fix: "the key works but is being rate limited: run the doctor again later",
      },
    };
  }
  return {
    reach,
    auth,
    api,
    model: {
      mark: "fail",
      summary: `a minimal request is refused (${status})`,
      upstream: words,
      fix:
        status >= 500
          ? "the provider failed: try again; if it lasts, see its status page"
          : "see the upstream's message",
    },
  };
}
