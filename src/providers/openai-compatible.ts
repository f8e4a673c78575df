import { PRESET_TABLE } from "../config/presets.js";
import type { ProviderConfig } from "../config/schema.js";
import type { RequestOptions } from "../translate/codecs.js";
import { type Provider, providerBasics } from "./types.js";

type CompatConfig = Extract<ProviderConfig, { type: "openai-compatible" }>;

/** Any Chat Completions server; a preset supplies the base URL and quirks, explicit settings win. */
export function compatibleProvider(name: string, cfg: CompatConfig): Provider {
  const preset = cfg.preset ? PRESET_TABLE[cfg.preset] : undefined;
  const base = (cfg.base_url ?? preset?.baseUrl ?? "").replace(/\/+$/, "");
  // Default `auto`: echo back earlier reasoning in the field the upstream itself sent it in (a DeepSeek-like
  // server that sends reasoning_content then finds it on the next tool turn), and nothing otherwise.
  const reasoningField = cfg.reasoning_field ?? preset?.reasoningField ?? "auto";
  const options: RequestOptions = {
    maxTokensField: cfg.max_tokens_field ?? preset?.maxTokensField ?? "max_tokens",
    customTools: cfg.custom_tools ?? preset?.customTools ?? false,
    topK: cfg.top_k ?? preset?.topK ?? false,
  };
  if (reasoningField && reasoningField !== "none") options.reasoningField = reasoningField;
  return {
    ...providerBasics(name, "openai-compatible", "openai-chat", cfg),
    normalizeStream: cfg.normalize_stream ?? preset?.normalizeStream ?? false,
    requestOptions: () => options,
    target(_model, ctx) {
      const headers: Record<string, string> = { "content-type": "application/json", ...cfg.headers };
      const key = ctx.callerKey ?? cfg.api_key;
      if (key) headers.authorization = `Bearer ${key}`;
      return { url: `${base}/chat/completions`, headers };
    },
  };
}
