import { answerError, answerJson, type Exchange } from "../http/exchange.js";
import { nowSeconds } from "../ir/ids.js";
import type { Dialect } from "../ir/types.js";
import type { ModelTable } from "../routing/model-table.js";
import type { ResponseStore } from "../store/types.js";
import type { Matched } from "./routes.js";

/**
 * GET /v1/responses/{id}, GET …/input_items, DELETE /v1/responses/{id}, from llmux's store. Only the
 * caller's own responses exist for it: another owner's id is answered exactly as an unknown one.
 */
export async function storedResponse(
  ex: Exchange,
  responses: ResponseStore,
  owner: string,
  match: Matched,
): Promise<void> {
  const id = match.responseId ?? "";
  const notFound = (): void => {
    answerError(ex, "openai-responses", {
      status: 404,
      kind: "not_found",
      message: `No response with id '${id}' is stored here`,
      param: "response_id",
    });
  };
  if (match.kind === "response_delete") {
    if (!(await responses.delete(owner, id))) {
      notFound();
      return;
    }
    answerJson(ex, 200, { id, object: "response", deleted: true });
    return;
  }
  const stored = await responses.get(owner, id);
  if (!stored) {
    notFound();
    return;
  }
  if (match.kind === "response_get") {
    answerJson(ex, 200, stored.response);
    return;
  }
  const data = stored.input;
  const ids = data.map((item) => item.id).filter((v): v is string => typeof v === "string");
  answerJson(ex, 200, {
    object: "list",
    data,
    first_id: ids[0] ?? null,
    last_id: ids[ids.length - 1] ?? null,
    has_more: false,
  });
}

/** GET /v1/models in the caller's dialect; wildcard routes are not listed. */
export function listModels(ex: Exchange, models: ModelTable, dialect: Dialect): void {
  const names = models.listed();
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
