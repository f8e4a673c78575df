import type { ServerResponse } from "node:http";
import { nowSeconds } from "../ir/ids.js";
import type { Dialect } from "../ir/types.js";
import type { Store } from "../store/types.js";
import { sendError, sendJson } from "./http.js";
import type { ModelTable } from "./model-table.js";
import type { Matched } from "./routes.js";

/** GET /v1/responses/{id}, GET …/input_items, DELETE /v1/responses/{id}, from llmux's store. */
export function storedResponse(store: Store, res: ServerResponse, match: Matched): void {
  const id = match.responseId ?? "";
  const notFound = (): void => {
    sendError(res, "openai-responses", {
      status: 404,
      kind: "not_found",
      message: `No response with id '${id}' is stored here`,
      param: "response_id",
    });
  };
  if (match.kind === "response_delete") {
    if (!store.responses.delete(id)) {
      notFound();
      return;
    }
    sendJson(res, 200, { id, object: "response", deleted: true });
    return;
  }
  const stored = store.responses.get(id);
  if (!stored) {
    notFound();
    return;
  }
  if (match.kind === "response_get") {
    sendJson(res, 200, stored.response);
    return;
  }
  const data = stored.input;
  const ids = data.map((item) => item.id).filter((v): v is string => typeof v === "string");
  sendJson(res, 200, {
    object: "list",
    data,
    first_id: ids[0] ?? null,
    last_id: ids[ids.length - 1] ?? null,
    has_more: false,
  });
}

/** GET /v1/models in the caller's dialect; wildcard routes are not listed. */
export function listModels(models: ModelTable, res: ServerResponse, dialect: Dialect): void {
  const names = models.listed();
  if (dialect === "anthropic") {
    const created = new Date(0).toISOString();
    const data = names.map((id) => ({ type: "model", id, display_name: id, created_at: created }));
    sendJson(res, 200, {
      data,
      has_more: false,
      first_id: data[0]?.id ?? null,
      last_id: data[data.length - 1]?.id ?? null,
    });
    return;
  }
  const created = nowSeconds();
  sendJson(res, 200, {
    object: "list",
    data: names.map((id) => ({ id, object: "model", created, owned_by: "llmux" })),
  });
}

/** GET /v1/models/{id}. */
export function oneModel(models: ModelTable, res: ServerResponse, dialect: Dialect, id: string): void {
  if (!models.resolve(id)) {
    sendError(res, dialect, {
      status: 404,
      kind: "not_found",
      message: `The model '${id}' is not configured here`,
      param: "model",
    });
    return;
  }
  if (dialect === "anthropic")
    sendJson(res, 200, { type: "model", id, display_name: id, created_at: new Date(0).toISOString() });
  else sendJson(res, 200, { id, object: "model", created: nowSeconds(), owned_by: "llmux" });
}
