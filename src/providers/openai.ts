import type { ProviderConfig } from "../config/schema.js";
import { type Provider, providerBasics } from "./types.js";

type OpenAIConfig = Extract<ProviderConfig, { type: "openai" }>;

/** OpenAI itself: Chat Completions or Responses, bearer auth. */
export function openaiProvider(name: string, cfg: OpenAIConfig): Provider {
  const base = cfg.base_url.replace(/\/+$/, "");
  const responses = cfg.api === "responses";
  return {
    ...providerBasics(name, "openai", responses ? "openai-responses" : "openai-chat", cfg),
    target(_model, ctx) {
      const headers: Record<string, string> = {
        "content-type": "application/json",
        authorization: `Bearer ${ctx.callerKey ?? cfg.api_key ?? ""}`,
        ...cfg.headers,
      };
      if (cfg.organization) headers["openai-organization"] = cfg.organization;
      if (cfg.project) headers["openai-project"] = cfg.project;
      return { url: `${base}/${responses ? "responses" : "chat/completions"}`, headers };
    },
  };
}
