import { isObject } from "../ir/input-error.js";
import type { ErrorInfo, Json, JsonObject, Request } from "../ir/types.js";
import type { Warnings } from "../ir/warnings.js";
import type { ResponseStore } from "../store/types.js";
import { codecs } from "../translate/codecs.js";

/** The request's input as a list of items (a string input is one user message). */
export function inputItems(body: JsonObject): JsonObject[] {
  const input = body.input;
  if (typeof input === "string") return [{ role: "user", content: input }];
  return Array.isArray(input) ? input.filter(isObject) : [];
}

/**
 * Whether an input item points at stored state: an `item_reference`, or a reasoning item sent by id only
 * (clients that replay by reference, such as the AI SDK with store: true).
 */
function refersToState(item: Json): item is JsonObject & { id: string } {
  return (
    isObject(item) &&
    typeof item.id === "string" &&
    (item.type === "item_reference" ||
      (item.type === "reasoning" && (item.encrypted_content === undefined || item.encrypted_content === null)))
  );
}

/** Whether a Responses body's input points at stored items. */
export function referencesStoredItems(body: JsonObject): boolean {
  return Array.isArray(body.input) && body.input.some(refersToState);
}

/** Items that point at stored state are replaced by the stored items (an unknown reference is dropped, and said). */
export async function resolveItemReferences(
  body: JsonObject,
  store: ResponseStore,
  owner: string,
  warnings: Warnings,
): Promise<void> {
  if (!Array.isArray(body.input)) return;
  if (!body.input.some(refersToState)) return;
  const found = await Promise.all(
    body.input.map((item) => (refersToState(item) ? store.item(owner, item.id) : undefined)),
  );
  let missing = 0;
  body.input = body.input.flatMap((item, i): Json[] => {
    if (!refersToState(item)) return [item];
    const stored = found[i];
    if (stored) return [stored];
    missing++;
    return item.type === "item_reference" ? [] : [item];
  });
  if (missing > 0)
    warnings.add("item_not_found", `${missing} referenced item(s) are not stored here and were dropped`, "input");
}

/**
 * Rebuilds the history a `previous_response_id` stands for (every earlier input and output, oldest first)
 * in front of the request's own messages. `instructions` are not carried over, as in the Responses API.
 */
export async function resolvePrevious(
  req: Request,
  store: ResponseStore,
  owner: string,
): Promise<ErrorInfo | undefined> {
  const first = req.previousResponseId;
  if (!first) return undefined;
  const chain: JsonObject[][] = [];
  const seen = new Set<string>();
  for (let id: string | undefined = first; id; ) {
    if (seen.has(id)) break;
    seen.add(id);
    const rec = await store.get(owner, id);
    if (!rec) {
      // 404 as OpenAI answers it; another owner's response is answered exactly as an unknown one.
      return {
        status: 404,
        kind: "not_found",
        message: `Previous response with id '${id}' not found (llmux keeps responses created with store: true for store.retention_days).`,
        param: "previous_response_id",
        code: "previous_response_not_found",
      };
    }
    const output = Array.isArray(rec.response.output) ? rec.response.output.filter(isObject) : [];
    chain.push([...rec.input, ...output]);
    id = rec.previousId;
  }
  // Walked newest first: oldest first for the history (one reversal, not an insertion at the front per turn).
  const history = codecs["openai-responses"].decodeRequest({ model: req.model, input: chain.reverse().flat() });
  req.messages = [...history.messages, ...req.messages];
  delete req.previousResponseId;
  return undefined;
}
