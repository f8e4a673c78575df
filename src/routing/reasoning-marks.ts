import { createHash } from "node:crypto";
import { isObject } from "../ir/input-error.js";
import type { Dialect, Json, JsonObject } from "../ir/types.js";
import type { HotState } from "../state/hot-state.js";
import { hotKeys } from "../state/keys.js";

/**
 * Which provider account made each piece of opaque reasoning a conversation carries: Anthropic `thinking`
 * (its signature) and `redacted_thinking` (its data), Responses `reasoning` items (their encrypted content,
 * or their id when the upstream keeps them). Only that account can read them back. As a routed answer is
 * relayed, llmux notes a fingerprint of each (a hash: the hot state holds no reasoning) with its account;
 * on every later turn, what another account made is left out for the deployment the request goes to.
 */

/** How long a mark is kept: a day of a conversation's life (one resumed later is judged by its binding). */
const MARK_TTL = 24 * 3600_000;

const markKey = hotKeys.reasoningMark;

function fingerprint(kind: string, value: string): string {
  return createHash("sha256").update(kind).update("\0").update(value).digest("base64url").slice(0, 22);
}

/** The fingerprints a part of a client body is known by (empty when it is not opaque reasoning). */
export function partMarks(dialect: Dialect, part: Json): string[] {
  if (!isObject(part)) return [];
  if (dialect === "anthropic") {
    if (part.type === "thinking" && typeof part.signature === "string" && part.signature)
      return [fingerprint("signature", part.signature)];
    if (part.type === "redacted_thinking" && typeof part.data === "string") return [fingerprint("redacted", part.data)];
    return [];
  }
  if (dialect === "openai-responses" && part.type === "reasoning") {
    const marks: string[] = [];
    if (typeof part.encrypted_content === "string" && part.encrypted_content)
      marks.push(fingerprint("encrypted", part.encrypted_content));
    if (typeof part.id === "string" && part.id) marks.push(fingerprint("id", part.id));
    return marks;
  }
  return [];
}

/** The opaque reasoning parts of a client body (Anthropic assistant turns' blocks, Responses input items). */
export function opaqueParts(dialect: Dialect, body: Json): JsonObject[] {
  if (!isObject(body)) return [];
  const parts: JsonObject[] = [];
  if (dialect === "anthropic" && Array.isArray(body.messages)) {
    for (const m of body.messages)
      if (isObject(m) && m.role === "assistant" && Array.isArray(m.content))
        for (const p of m.content) if (isObject(p) && partMarks(dialect, p).length > 0) parts.push(p);
  } else if (dialect === "openai-responses" && Array.isArray(body.input)) {
    for (const item of body.input) if (isObject(item) && partMarks(dialect, item).length > 0) parts.push(item);
  }
  return parts;
}

/** The marks of what a whole answer (not streamed) carries. */
export function answerMarks(dialect: Dialect, answer: Json): string[] {
  if (!isObject(answer)) return [];
  const parts = dialect === "anthropic" ? answer.content : dialect === "openai-responses" ? answer.output : undefined;
  return Array.isArray(parts) ? parts.flatMap((p) => partMarks(dialect, p)) : [];
}

/** The account each mark was noted for (marks it does not know are absent; a state that fails knows none). */
export async function accountsOf(hot: HotState, marks: readonly string[]): Promise<Map<string, string>> {
  const unique = [...new Set(marks)];
  const found = await Promise.all(unique.map((m) => hot.get(markKey(m)).catch(() => undefined)));
  const out = new Map<string, string>();
  unique.forEach((m, i) => {
    const account = found[i];
    if (account !== undefined) out.set(m, account);
  });
  return out;
}

/** Notes the account that made an answer's reasoning (not waited for). */
export function noteMarks(hot: HotState, marks: readonly string[], account: string): void {
  for (const m of new Set(marks)) hot.set(markKey(m), account, MARK_TTL).catch(() => undefined);
}

/**
 * Whether an Anthropic request needs thinking turned off: thinking is on, and the last assistant turn holds
 * a tool call but does not start with a thinking block (its own was another account's and left out, or
 * the turn was answered without thinking for that reason). Anthropic refuses such a request ("a final
 * assistant message must start with a thinking block") and says to disable thinking instead.
 */
export function needsThinkingOff(body: Json): boolean {
  if (!isObject(body) || !isObject(body.thinking) || body.thinking.type === "disabled") return false;
  if (!Array.isArray(body.messages)) return false;
  for (let i = body.messages.length - 1; i >= 0; i--) {
    const m = body.messages[i];
    if (!isObject(m) || m.role !== "assistant") continue;
    if (!Array.isArray(m.content)) return false;
    const first = m.content[0];
    const startsWithThinking = isObject(first) && (first.type === "thinking" || first.type === "redacted_thinking");
    return !startsWithThinking && m.content.some((p) => isObject(p) && p.type === "tool_use");
  }
  return false;
}
