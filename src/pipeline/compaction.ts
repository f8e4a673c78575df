import { isObject } from "../ir/input-error.js";
import type { ErrorInfo, Json, JsonObject } from "../ir/types.js";
import { isCompactionEnvelope, openSummary } from "../reasoning/compaction-envelope.js";

/** What llmux asks the routed model for (the prompt Codex uses for its own, local compaction). */
export const COMPACTION_PROMPT = `You are performing a CONTEXT CHECKPOINT COMPACTION. Create a handoff summary for another LLM that will resume the task.

Include:
- Goal / user objective
- Current progress and key decisions made
- Important context, constraints, or user preferences
- What remains to be done (clear next steps)
- Any critical data, examples, or references needed to continue

Be concise, structured, and focused on helping the next LLM seamlessly continue the work.`;

/** How a summary re-enters the conversation on later turns (Codex's own words for its local compaction). */
export const SUMMARY_PREFIX =
  "Another language model started to solve this problem and produced a summary of its thinking process. You also have access to the state of the tools that were used by that language model. Use this to build on the work that has already been done and avoid duplicating work. Here is the summary produced by the other language model, use the information in this summary to assist with your own analysis:";

const userMessage = (text: string): JsonObject => ({
  type: "message",
  role: "user",
  content: [{ type: "input_text", text }],
});

/** Whether a Responses body asks for a compaction (a `compaction_trigger` input item). */
export function asksCompaction(body: Json): boolean {
  return (
    isObject(body) &&
    Array.isArray(body.input) &&
    body.input.some((i) => isObject(i) && i.type === "compaction_trigger")
  );
}

/** A body that asks for a compaction: appended to the conversation, as `/responses/compact` asks it. */
export function withTrigger(body: JsonObject): JsonObject {
  const input = Array.isArray(body.input)
    ? body.input
    : typeof body.input === "string"
      ? [userMessage(body.input)]
      : [];
  return { ...body, input: [...input, { type: "compaction_trigger" }] };
}

/**
 * The request llmux sends to an upstream that does not compact itself: the conversation, then the
 * compaction prompt in place of the trigger; no tools (the answer is the summary alone).
 */
export function summaryRequest(body: JsonObject): JsonObject {
  const input = (body.input as Json[]).filter((i) => !(isObject(i) && i.type === "compaction_trigger"));
  const { tools: _t, tool_choice: _c, parallel_tool_calls: _p, previous_response_id: _r, ...rest } = body;
  return { ...rest, input: [...input, userMessage(COMPACTION_PROMPT)] };
}

/**
 * Opens the `compaction` items llmux made into the summary they carry, as a user message, so any upstream
 * reads the conversation. An item that does not open for this caller (another key's, forged, altered) is
 * refused: it never reaches an upstream. Returns the body unchanged when it carries none.
 */
export function openCompactions(
  body: Json,
  owner: string,
  secret: string,
): { ok: true; body: Json } | { ok: false; error: ErrorInfo } {
  if (!isObject(body) || !Array.isArray(body.input)) return { ok: true, body };
  if (!body.input.some((i) => isObject(i) && i.type === "compaction" && isCompactionEnvelope(i.encrypted_content)))
    return { ok: true, body };
  const input: Json[] = [];
  for (const [n, item] of body.input.entries()) {
    if (!isObject(item) || item.type !== "compaction" || !isCompactionEnvelope(item.encrypted_content)) {
      input.push(item);
      continue;
    }
    const summary = openSummary(item.encrypted_content, owner, secret);
    if (summary === undefined)
      return {
        ok: false,
        error: {
          status: 400,
          kind: "invalid_request",
          message: "This compaction item was not made by llmux for this API key (or was altered); it cannot be used.",
          param: `input[${n}].encrypted_content`,
        },
      };
    input.push(userMessage(`${SUMMARY_PREFIX}\n${summary}`));
  }
  return { ok: true, body: { ...body, input } };
}
