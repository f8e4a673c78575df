import { aliasLimits, type ModelLimits } from "../models/limits.js";
import type { ModelTable, Route } from "../routing/model-table.js";

/** A route's limits (src/models/limits.ts): the alias's own, else its deployments' (declared or known). */
export function routeLimits(route: Route): ModelLimits {
  const entries = route.settings.deployments;
  return aliasLimits(
    route.settings,
    route.deployments.map((d, i) => ({ model: d.model, declared: entries?.[i] })),
  );
}

/** The limits of a model name the table routes ({} when it routes none). */
export function limitsOfName(models: ModelTable, name: string): ModelLimits {
  const route = models.resolve(name);
  return route ? routeLimits(route) : {};
}

/** The members each shape of GET /v1/models carries them in (absent when unknown). */
export function openaiLimitFields(l: ModelLimits): { context_window?: number; max_output_tokens?: number } {
  return {
    ...(l.contextWindow !== undefined ? { context_window: l.contextWindow } : {}),
    ...(l.maxOutputTokens !== undefined ? { max_output_tokens: l.maxOutputTokens } : {}),
  };
}

/** Anthropic's ModelInfo: `max_input_tokens` and `max_tokens`, null when unknown (as Anthropic documents them). */
export function anthropicLimitFields(l: ModelLimits): { max_input_tokens: number | null; max_tokens: number | null } {
  return { max_input_tokens: l.contextWindow ?? null, max_tokens: l.maxOutputTokens ?? null };
}

/** Gemini's Model: `inputTokenLimit` and `outputTokenLimit`. */
export function geminiLimitFields(l: ModelLimits): { inputTokenLimit?: number; outputTokenLimit?: number } {
  return {
    ...(l.contextWindow !== undefined ? { inputTokenLimit: l.contextWindow } : {}),
    ...(l.maxOutputTokens !== undefined ? { outputTokenLimit: l.maxOutputTokens } : {}),
  };
}
