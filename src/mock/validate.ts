/**
 * Provider rules the mock enforces when asked to (`validate: true`): the ones that break tool loops with
 * reasoning models. Opaque reasoning state must be state the mock itself issued; tool calls and results
 * must pair; an Anthropic request with thinking on must keep the thinking block of its open tool loop;
 * an OpenAI-compatible reasoning model (DeepSeek, Kimi) needs its reasoning_content back on tool-call turns.
 * Each failure is answered like the provider answers it: a 400 with its wording.
 */

type Obj = Record<string, unknown>;

const isObj = (v: unknown): v is Obj => typeof v === "object" && v !== null && !Array.isArray(v);
const list = (v: unknown): Obj[] => (Array.isArray(v) ? v.filter(isObj) : []);

/** Opaque values the mock has handed out: signatures, redacted data, encrypted content, reasoning texts. */
export class Issued {
  readonly values = new Set<string>();

  /** Records the opaque reasoning state found in rendered output (stream events or a body). */
  record(rendered: string): void {
    for (const m of rendered.matchAll(
      /"(signature|thoughtSignature|encrypted_content|data|reasoning_content|thinking)":"((?:[^"\\]|\\.)*)"/g,
    )) {
      const value = JSON.parse(`"${m[2]}"`) as string;
      if (value) this.values.add(value);
    }
  }

  /** Reasoning text streamed in pieces is recorded whole from the script. */
  recordText(text: string): void {
    if (text) this.values.add(text);
  }
}

function anthropic(body: Obj, issued: Issued): string | undefined {
  const messages = list(body.messages);
  const thinking = isObj(body.thinking) ? body.thinking.type : undefined;
  const model = typeof body.model === "string" ? body.model : "";
  if (thinking === "enabled" && /opus-4-7|claude-(opus|sonnet)-5/.test(model)) {
    return '"thinking.type.enabled" is not supported for this model. Use "thinking.type.adaptive" and "output_config.effort".';
  }
  for (const [i, m] of messages.entries()) {
    const content = list(m.content);
    for (const [j, b] of content.entries()) {
      if (b.type === "thinking" && !issued.values.has(String(b.signature))) {
        return `messages.${i}.content.${j}: Invalid \`signature\` in \`thinking\` block`;
      }
      if (b.type === "redacted_thinking" && !issued.values.has(String(b.data))) {
        return `messages.${i}.content.${j}: Invalid \`data\` in \`redacted_thinking\` block`;
      }
    }
    if (m.role !== "assistant") continue;
    const uses = content.filter((b) => b.type === "tool_use").map((b) => String(b.id));
    if (uses.length === 0) continue;
    const next = list(messages[i + 1]?.content);
    const results = new Set(next.filter((b) => b.type === "tool_result").map((b) => String(b.tool_use_id)));
    const missing = uses.filter((id) => !results.has(id));
    if (missing.length > 0) {
      return `messages.${i}: \`tool_use\` ids were found without \`tool_result\` blocks immediately after: ${missing.join(", ")}`;
    }
  }
  const last = messages[messages.length - 1];
  const openLoop = last?.role === "user" && list(last.content)[0]?.type === "tool_result";
  if ((thinking === "enabled" || thinking === "adaptive") && openLoop) {
    const assistant = messages[messages.length - 2];
    const first = list(assistant?.content)[0]?.type;
    if (first !== "thinking" && first !== "redacted_thinking") {
      return `messages.${messages.length - 2}.content.0.type: Expected \`thinking\` or \`redacted_thinking\`, but found \`${String(first)}\`. When \`thinking\` is enabled, a final \`assistant\` message must start with a thinking block`;
    }
  }
  return undefined;
}

function responses(body: Obj, issued: Issued): string | undefined {
  const items = list(body.input);
  const outputs = new Set(
    items
      .filter((i) => i.type === "function_call_output" || i.type === "custom_tool_call_output")
      .map((i) => String(i.call_id)),
  );
  for (const item of items) {
    if (
      item.type === "reasoning" &&
      typeof item.encrypted_content === "string" &&
      !issued.values.has(item.encrypted_content)
    ) {
      return `The encrypted content for item ${String(item.id ?? "")} could not be verified.`;
    }
    if ((item.type === "function_call" || item.type === "custom_tool_call") && !outputs.has(String(item.call_id))) {
      return `No tool output found for function call ${String(item.call_id)}.`;
    }
  }
  return undefined;
}

function compat(body: Obj, issued: Issued): string | undefined {
  for (const m of list(body.messages)) {
    if (m.role !== "assistant" || !Array.isArray(m.tool_calls) || m.tool_calls.length === 0) continue;
    const rc = m.reasoning_content;
    if (typeof rc !== "string" || !issued.values.has(rc)) {
      return "The `reasoning_content` in the thinking mode must be passed back to the API.";
    }
  }
  return undefined;
}

/** Google's documented placeholder for a signature the history lost (accepted by Gemini 3). */
const SKIP_SIGNATURE = "skip_thought_signature_validator";

/**
 * Gemini: a thought signature must be one the mock issued; on Gemini 3 models, the first function call of
 * each model turn must carry one (the API answers 400 otherwise).
 */
function gemini(body: Obj, issued: Issued, model: string): string | undefined {
  for (const [i, c] of list(body.contents).entries()) {
    const parts = list(c.parts);
    for (const [j, p] of parts.entries()) {
      const sig = p.thoughtSignature;
      if (typeof sig === "string" && sig !== SKIP_SIGNATURE && !issued.values.has(sig))
        return `Corrupted thought signature at contents[${i}].parts[${j}].`;
    }
    if (c.role !== "model" || !/gemini-3/.test(model)) continue;
    const first = parts.find((p) => p.functionCall !== undefined);
    if (first && typeof first.thoughtSignature !== "string")
      return `Function call is missing a thought_signature in functionCall parts. This is required for tools to work correctly, and missing thought_signature may lead to degraded model performance. Additional data, function call \`default_api:${String((first.functionCall as Obj).name)}\` , position ${i + 1}.`;
  }
  return undefined;
}

/** The provider error a request deserves, or undefined when it is acceptable. */
export function validate(
  api: "anthropic" | "responses" | "compat" | "chat" | "gemini",
  body: unknown,
  issued: Issued,
  model = "",
): string | undefined {
  if (!isObj(body)) return undefined;
  if (api === "gemini") return gemini(body, issued, model);
  if (api === "anthropic") return anthropic(body, issued);
  if (api === "responses") return responses(body, issued);
  if (api === "compat") return compat(body, issued);
  return undefined;
}
