import { deploymentProblem } from "../config/deployment-name.js";
import type { ProviderConfig } from "../config/schema.js";
import { type Provider, providerBasics } from "./types.js";

type AzureConfig = Extract<ProviderConfig, { type: "azure" }>;

/**
 * Azure OpenAI, Responses or Chat Completions, in the /openai/v1 form (model = deployment in the body) or the
 * dated form (/openai/deployments/{d}/chat/completions?api-version=…, /openai/responses?api-version=…).
 */
export function azureProvider(name: string, cfg: AzureConfig): Provider {
  const root = cfg.base_url.replace(/\/+$/, "").replace(/\/openai(\/v1)?$/, "");
  const responses = cfg.api === "responses";
  return {
    ...providerBasics(name, "azure", responses ? "openai-responses" : "openai-chat", cfg),
    modelProblem: deploymentProblem,
    requestOptions: () => (responses ? {} : { customTools: false, maxTokensField: "max_completion_tokens" }),
    target(model, ctx) {
      const v = cfg.api_version ? encodeURIComponent(cfg.api_version) : undefined;
      let url: string;
      if (responses) url = v ? `${root}/openai/responses?api-version=${v}` : `${root}/openai/v1/responses`;
      else
        url = v
          ? `${root}/openai/deployments/${encodeURIComponent(model)}/chat/completions?api-version=${v}`
          : `${root}/openai/v1/chat/completions`;
      const key = ctx.callerKey ?? cfg.api_key ?? "";
      const headers: Record<string, string> = { "content-type": "application/json", ...cfg.headers };
      if (cfg.auth === "bearer") headers.authorization = `Bearer ${key}`;
      else headers["api-key"] = key;
      return { url, headers };
    },
  };
}
