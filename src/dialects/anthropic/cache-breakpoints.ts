import type { Json, JsonObject } from "../../ir/types.js";

/**
 * Prompt-cache breakpoints on a translated Anthropic Messages body (and through it Bedrock Converse, whose
 * body is written from it): where a client that knew the upstream would put them, so a Chat or Responses
 * client (Codex, Cursor, OpenCode) pays cache-read prices for the conversation it resends every turn.
 *
 * In order, while the upstream's limit of 4 breakpoints allows (the client's own markers count first, and a
 * block it marked is not marked again):
 * 1. the last tool definition (the tools are the start of the prompt);
 * 2. the last system block (tools and system prompt);
 * 3. the last block of the last message (the whole conversation, read back by the next turn);
 * 4. the last block of the user turn before it (the last stable turn: what the previous request marked as
 *    its last, so this request reads it even when more than 20 blocks came since).
 */

/** Whether a model caches by explicit breakpoints (Claude, on Anthropic, Vertex or Bedrock); others are left alone. */
export function cachesByBreakpoints(model: string): boolean {
  return /claude/i.test(model);
}

/** The upstream's limit of cache_control breakpoints in one request. */
export const MAX_BREAKPOINTS = 4;

export interface CacheOptions {
  /** The cache's lifetime: Anthropic's default five minutes, or an hour (billed higher for writes). */
  ttl?: "5m" | "1h" | undefined;
}

const isObj = (v: Json | undefined): v is JsonObject => v !== null && typeof v === "object" && !Array.isArray(v);

/** Blocks that cannot carry a breakpoint (thinking blocks), or empty text (rejected by the API). */
function markable(b: JsonObject): boolean {
  if (b.type === "thinking" || b.type === "redacted_thinking") return false;
  if (b.type === "text" && (typeof b.text !== "string" || b.text.length === 0)) return false;
  return true;
}

function countMarks(body: JsonObject): number {
  let n = 0;
  const blocks = (list: Json | undefined) => {
    if (!Array.isArray(list)) return;
    for (const b of list) if (isObj(b) && b.cache_control != null) n++;
  };
  blocks(body.tools);
  blocks(body.system);
  if (Array.isArray(body.messages)) for (const m of body.messages) if (isObj(m)) blocks(m.content);
  return n;
}

/** The last markable block of a list; a string becomes one text block so that it can be marked. */
function lastBlock(holder: JsonObject, field: string): JsonObject | undefined {
  const v = holder[field];
  if (typeof v === "string") {
    if (v.length === 0) return undefined;
    const block: JsonObject = { type: "text", text: v };
    holder[field] = [block];
    return block;
  }
  if (!Array.isArray(v)) return undefined;
  for (let i = v.length - 1; i >= 0; i--) {
    const b = v[i];
    if (isObj(b) && markable(b)) return b;
  }
  return undefined;
}

/**
 * Places breakpoints on `body` in place; returns how many it placed. A body already at the limit, or a
 * request without anything to cache, is left as it is.
 */
export function placeCacheBreakpoints(body: JsonObject, opts: CacheOptions = {}): number {
  let room = MAX_BREAKPOINTS - countMarks(body);
  if (room <= 0) return 0;
  const mark: JsonObject = opts.ttl === "1h" ? { type: "ephemeral", ttl: "1h" } : { type: "ephemeral" };
  const candidates: (JsonObject | undefined)[] = [];
  if (Array.isArray(body.tools) && body.tools.length > 0) {
    const last = body.tools[body.tools.length - 1];
    candidates.push(isObj(last) ? last : undefined);
  }
  candidates.push(lastBlock(body, "system"));
  const messages = Array.isArray(body.messages) ? body.messages.filter(isObj) : [];
  const final = messages.at(-1);
  if (final) candidates.push(lastBlock(final, "content"));
  // The user turn before the last one (the previous request's last message).
  const finalIndex = messages.length - 1;
  for (let i = finalIndex - 1; i >= 0; i--) {
    if (messages[i]!.role === "user") {
      candidates.push(lastBlock(messages[i]!, "content"));
      break;
    }
  }
  let placed = 0;
  for (const c of candidates) {
    if (room === 0) break;
    if (!c || c.cache_control != null) continue;
    c.cache_control = { ...mark };
    room--;
    placed++;
  }
  return placed;
}
