import type { Principal } from "../identity/principal.js";
import { nowSeconds } from "../ir/ids.js";
import type { Dialect } from "../ir/types.js";
import { usableNames } from "../limits/allow-list.js";
import { answerError, answerJson, type Exchange } from "../pipeline/exchange.js";
import type { ModelTable } from "../routing/model-table.js";

/** The model names `principal` may use: its allow-lists admit them, and their provider takes its key. */
export function modelsOf(models: ModelTable, principal: Principal | undefined): string[] {
  return usableNames(models.listed(), principal, (id) => models.resolve(id)?.provider.name);
}

/**
 * GET /v1/models in the caller's dialect, listing the models the caller's key may use; wildcard routes are
 * not listed. Anthropic's shape (`id`, `display_name`) is what Claude Code's gateway model discovery reads.
 */
export function listModels(ex: Exchange, models: ModelTable, dialect: Dialect, principal?: Principal): void {
  const names = modelsOf(models, principal);
  if (dialect === "anthropic") {
    const created = new Date(0).toISOString();
    const data = names.map((id) => ({ type: "model", id, display_name: id, created_at: created }));
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
    data: names.map((id) => ({ id, object: "model", created, owned_by: "llmux" })),
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
  if (dialect === "anthropic")
    answerJson(ex, 200, { type: "model", id, display_name: id, created_at: new Date(0).toISOString() });
  else answerJson(ex, 200, { id, object: "model", created: nowSeconds(), owned_by: "llmux" });
}
