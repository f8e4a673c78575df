import { isObject } from "../ir/input-error.js";
import type { ErrorInfo, Json } from "../ir/types.js";
import type { HotState } from "../state/hot-state.js";
import { hotKeys } from "../state/keys.js";
import type { ResponseStore } from "../store/types.js";

/**
 * Responses kept by the upstream (a Responses request passed through to a Responses upstream, which stores
 * what it answers under llmux's account) belong to the caller that made them, as llmux's own stored responses
 * do. As each such answer ends, llmux claims its id and its output items' ids for the caller: in the data
 * layer (durable, every instance; the first claim of an id wins) and in the hot state (its cache). A
 * `previous_response_id` or `item_reference` that the caller did not make through llmux (another caller's,
 * or one llmux never relayed) is answered 404 before anything goes upstream; when neither store can say
 * whose it is, 503. With auth.passthrough the owner is the presented key's digest.
 */
const ownerKey = hotKeys.responseOwner;

export interface Owners {
  readonly hot: HotState;
  readonly responses: ResponseStore;
}

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

/** Whose each id is: the hot state first, the data layer for what it does not hold (or when it cannot answer). */
async function ownersOf(o: Owners, ids: readonly string[]): Promise<Map<string, string> | undefined> {
  const cached = await Promise.all(ids.map((id) => o.hot.get(ownerKey(id)).catch(() => undefined)));
  const found = new Map<string, string>();
  const missing: string[] = [];
  ids.forEach((id, i) => {
    const owner = cached[i];
    if (owner === undefined) missing.push(id);
    else found.set(id, owner);
  });
  if (missing.length === 0) return found;
  try {
    for (const [id, owner] of await o.responses.owners(missing)) found.set(id, owner);
  } catch {
    return undefined;
  }
  return found;
}

/** The refusal a request gets for naming a response or item that is not the caller's own, or undefined. */
export async function foreignReference(o: Owners, body: Json, owner: string): Promise<ErrorInfo | undefined> {
  const { previous, items } = referencedIds(body);
  const ids = previous ? [previous, ...items] : items;
  if (ids.length === 0) return undefined;
  const owners = await ownersOf(o, ids);
  if (!owners)
    return {
      status: 503,
      kind: "overloaded",
      message:
        "llmux cannot check whose stored response this is right now (its database is unreachable); retry shortly",
      retryAfter: "5",
    };
  const id = ids.find((i) => owners.get(i) !== owner);
  if (id === undefined) return undefined;
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

/**
 * Claims a passed-through Responses answer and its output items for the caller. Called by the settle stage as
 * the answer ends: the writes are under way before the client can send its next turn; it does not wait.
 */
export function claimOwnership(
  o: Owners,
  answer: { readonly responseId?: string | undefined; readonly responseItems?: readonly string[] | undefined },
  owner: string,
  ttlMs: number,
): void {
  if (!answer.responseId) return;
  const ids = [answer.responseId, ...(answer.responseItems ?? [])];
  for (const id of ids) o.hot.set(ownerKey(id), owner, ttlMs).catch(() => undefined);
  o.responses.claim(owner, ids, Math.floor(Date.now() / 1000)).catch(() => undefined);
}
