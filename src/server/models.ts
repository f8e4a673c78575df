import type { Principal } from "../identity/principal.js";
import { nowSeconds } from "../ir/ids.js";
import type { Dialect } from "../ir/types.js";
import { usableNames } from "../limits/allow-list.js";
import { answerError, answerJson, type Exchange } from "../pipeline/exchange.js";
import type { ModelTable } from "../routing/model-table.js";
import { anthropicLimitFields, limitsOfName, openaiLimitFields } from "./model-limits.js";

/** The model names `principal` may use: its allow-lists admit them, and their provider takes its key. */
export function modelsOf(models: ModelTable, principal: Principal | undefined): string[] {
  return usableNames(models.listed(), principal, (id) => models.resolve(id)?.provider.name);
}

/** One model in Anthropic's shape (ModelInfo), with its limits in `max_input_tokens` and `max_tokens`. */
function anthropicModel(models: ModelTable, id: string) {
  const limits = anthropicLimitFields(limitsOfName(models, id));
  return { type: "model", id, display_name: id, created_at: new Date(0).toISOString(), ...limits };
}

/**
 * One model in OpenAI's shape. OpenAI's Model has no member for limits: llmux adds `context_window` and
 * `max_output_tokens` (the names of Codex's model metadata and of llmux's configuration), which the launchers
 * read back and clients that do not know them ignore.
 */
function openaiModel(models: ModelTable, id: string, created: number) {
  return { id, object: "model", created, owned_by: "llmux", ...openaiLimitFields(limitsOfName(models, id)) };
}

/**
 * GET /v1/models in the caller's dialect, listing the models the caller's key may use; wildcard routes are
 * not listed. Anthropic's shape (`id`, `display_name`) is what Claude Code's gateway model discovery reads.
 * Each carries the model's limits (docs/models.md).
 */
export function listModels(ex: Exchange, models: ModelTable, dialect: Dialect, principal?: Principal): void {
  const names = modelsOf(models, principal);
  if (dialect === "anthropic") {
    const data = names.map((id) => anthropicModel(models, id));
    answerJson(ex, 200, {
      data,
      has_more: false,
      first_id: data[0]?.id ?? null,
      last_id: data[data.length - 1]?.id ?? null,
    });
    return;
  }
  const created = nowSeconds();
  answerJson(ex, 200, {
    object: "list",
    data: names.map((id) => openaiModel(models, id, created)),
  });
}

/** GET /v1/models/{id}. */
export function oneModel(ex: Exchange, models: ModelTable, dialect: Dialect, id: string): void {
  if (!models.resolve(id)) {
    answerError(ex, dialect, {
      status: 404,
      kind: "not_found",
      message: `The model '${id}' is not configured here`,
      param: "model",
    });
    return;
  }
  if (dialect === "anthropic") answerJson(ex, 200, anthropicModel(models, id));
  else answerJson(ex, 200, openaiModel(models, id, nowSeconds()));
}
