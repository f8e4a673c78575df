import { isObject } from "../ir/input-error.js";
import type { ErrorInfo, Json } from "../ir/types.js";
import type { HotState } from "../state/hot-state.js";
import type { RequestRecord } from "./finalise.js";

/**
 * Responses kept by the upstream (a Responses request passed through to a Responses upstream, which stores
 * what it answers under llmux's account) belong to the caller that made them, as llmux's own stored responses
 * do: llmux notes the owner of each answer and output item it relays, and a `previous_response_id` or
 * `item_reference` naming another caller's is answered 404 before anything goes upstream. With
 * auth.passthrough the upstream key is the caller's own, and the upstream itself keeps callers apart.
 */
const ownerKey = (id: string) => `resp-owner:${id}`;

/** The stored ids a Responses request refers to: its previous_response_id and its item references. */
function referencedIds(body: Json): { previous: string | undefined; items: string[] } {
  if (!isObject(body)) return { previous: undefined, items: [] };
  const previous = typeof body.previous_response_id === "string" ? body.previous_response_id : undefined;
  const items: string[] = [];
  if (Array.isArray(body.input))
    for (const item of body.input)
      if (isObject(item) && item.type === "item_reference" && typeof item.id === "string") items.push(item.id);
  return { previous, items };
}

/** The 404 a request gets for naming another caller's upstream-stored response or item, or undefined. */
export async function foreignReference(hot: HotState, body: Json, owner: string): Promise<ErrorInfo | undefined> {
  const { previous, items } = referencedIds(body);
  const ids = previous ? [previous, ...items] : items;
  if (ids.length === 0) return undefined;
  // A hot state that cannot answer refuses nothing: the upstream still asks for llmux's own account.
  const owners = await Promise.all(ids.map((id) => hot.get(ownerKey(id)).catch(() => undefined)));
  const at = owners.findIndex((o) => o !== undefined && o !== owner);
  if (at < 0) return undefined;
  const id = ids[at]!;
  // Answered exactly as an unknown id: another caller's response does not exist for this one.
  if (id === previous)
    return {
      status: 404,
      kind: "not_found",
      message: `Previous response with id '${id}' not found.`,
      param: "previous_response_id",
      code: "previous_response_not_found",
    };
  return { status: 404, kind: "not_found", message: `Item with id '${id}' not found.`, param: "input", code: null };
}

/** Notes the caller as the owner of a passed-through Responses answer and its output items. */
export async function noteOwner(hot: HotState, rec: RequestRecord, owner: string, ttlMs: number): Promise<void> {
  if (!rec.responseId || rec.outcome === "error" || rec.outcome === "aborted") return;
  const ids = [rec.responseId, ...(rec.responseItems ?? [])];
  await Promise.all(ids.map((id) => hot.set(ownerKey(id), owner, ttlMs))).catch(() => undefined);
}
