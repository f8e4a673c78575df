import { isObject } from "../ir/input-error.js";
import type { Request } from "../ir/types.js";
import { cacheKey } from "./normalize.js";

/**
 * Cursor's own bookkeeping, turned into what providers understand: its conversation id (or `user`) becomes
 * the prompt cache key, and its metadata, which no provider needs, is dropped.
 */
export function adaptCursorRequest(req: Request): void {
  const meta = req.metadata;
  const conversation =
    isObject(meta) && typeof meta.cursorConversationId === "string" && meta.cursorConversationId
      ? meta.cursorConversationId
      : undefined;
  if (!req.promptCacheKey) {
    const key = conversation ?? req.user;
    if (key) req.promptCacheKey = cacheKey(key);
  }
  if (isObject(meta)) {
    const { cursorConversationId: _c, cursorRequestId: _r, ...rest } = meta;
    if (Object.keys(rest).length > 0) req.metadata = rest;
    else delete req.metadata;
  }
}
