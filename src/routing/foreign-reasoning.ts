import { isObject } from "../ir/input-error.js";
import type { Dialect, Json, JsonObject } from "../ir/types.js";

/**
 * Opaque reasoning state that only the provider account which produced it can read: Anthropic `thinking`
 * (its signature) and `redacted_thinking` blocks in assistant turns, Responses `reasoning` items (their
 * `encrypted_content`). Chat has none (its `reasoning_content` is plain text).
 */
function isOpaque(dialect: Dialect, part: Json): boolean {
  if (!isObject(part)) return false;
  if (dialect === "anthropic") return part.type === "thinking" || part.type === "redacted_thinking";
  if (dialect === "openai-responses") return part.type === "reasoning";
  return false;
}

/**
 * A client body with the opaque reasoning state removed, for a passthrough to another account than the
 * one that produced it (a conversation moved because its deployment cooled down, or a retry went
 * elsewhere): sent as it was, that state would be refused by the other account. Undefined when the body
 * carries none (nothing to change). Pure: the body is not modified.
 */
export function withoutOpaqueReasoning(
  dialect: Dialect,
  body: JsonObject,
  /** Which opaque parts go (default: all of them). */
  drops: (part: Json) => boolean = () => true,
): { body: JsonObject; dropped: number } | undefined {
  let dropped = 0;
  const goes = (p: Json) => isOpaque(dialect, p) && drops(p);
  if (dialect === "anthropic" && Array.isArray(body.messages)) {
    const messages = body.messages.map((m) => {
      if (!isObject(m) || m.role !== "assistant" || !Array.isArray(m.content)) return m;
      const kept = m.content.filter((p) => !goes(p));
      if (kept.length === m.content.length) return m;
      dropped += m.content.length - kept.length;
      return kept.length > 0 ? { ...m, content: kept } : undefined;
    });
    // A turn that held nothing but reasoning goes altogether (an empty content is refused).
    const left = messages.filter((m): m is Json => m !== undefined);
    return dropped > 0 ? { body: { ...body, messages: left }, dropped } : undefined;
  }
  if (dialect === "openai-responses" && Array.isArray(body.input)) {
    const input = body.input.filter((item) => !goes(item));
    dropped = body.input.length - input.length;
    return dropped > 0 ? { body: { ...body, input }, dropped } : undefined;
  }
  return undefined;
}

/** The provider (account) of a deployment id, `provider/model`. */
export function accountOf(deploymentId: string): string {
  const i = deploymentId.indexOf("/");
  return i < 0 ? deploymentId : deploymentId.slice(0, i);
}
