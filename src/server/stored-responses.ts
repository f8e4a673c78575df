import { answerError, answerJson, type Exchange } from "../pipeline/exchange.js";
import type { Matched } from "../request/route.js";
import type { ResponseStore } from "../store/types.js";

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
