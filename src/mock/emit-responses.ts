/**
 * OpenAI Responses emitter: renders a MockScript as the typed SSE events (every one with a
 * `sequence_number`) and as the non-streaming Response object. See wire-protocols.md §2.4–2.7.
 * Every block becomes one output item (consecutive text blocks are separate message items).
 */
import { openaiStreamError } from "./errors.js";
import type { MockBlock, MockScript, ResolvedScript } from "./script.js";
import { b64, hex, MOCK_CREATED, pieces, resolveScript, sseEvent, streamedBlocks, toolSuffix } from "./script.js";

type Fields = Record<string, unknown>;
/** One output item: its streamed events (minus type/sequence_number) and its final form. */
interface Rendered {
  events: [string, Fields][];
  item: Fields;
}

const responseId = (r: ResolvedScript): string => r.id ?? `resp_${hex(r.seed, "response", 50)}`;
const itemId = (r: ResolvedScript, prefix: string, i: number): string => `${prefix}_${hex(r.seed, `item:${i}`, 48)}`;

/** A Fernet-looking token ("gAAAAABo…"), the shape of OpenAI's encrypted reasoning content. */
const fakeEncrypted = (r: ResolvedScript, i: number): string =>
  b64(r.seed, `encrypted:${i}`, [0x80, 0, 0, 0, 0, 0x68], 282, true);

function isIncomplete(r: ResolvedScript): boolean {
  return r.stop === "max_tokens" || r.stop === "content_filter";
}

function usageObject(r: ResolvedScript) {
  const u = r.usage;
  const inputDetails: Record<string, number> = { cached_tokens: u.cacheRead };
  if (u.cacheWrite > 0) inputDetails.cache_write_tokens = u.cacheWrite;
  return {
    input_tokens: u.input,
    input_tokens_details: inputDetails,
    output_tokens: u.output,
    output_tokens_details: { reasoning_tokens: u.reasoning },
    total_tokens: u.input + u.output,
  };
}

/** A full Response object with every field the spec marks required (strict clients check them all). */
function response(r: ResolvedScript, status: string, output: Fields[], extra: Fields = {}): Fields {
  const reasons = r.blocks.some((b) => b.type === "reasoning" || b.type === "redacted_reasoning");
  return {
    id: responseId(r),
    object: "response",
    created_at: MOCK_CREATED,
    status,
    background: false,
    completed_at: null,
    error: null,
    incomplete_details: null,
    instructions: null,
    max_output_tokens: null,
    max_tool_calls: null,
    model: r.model,
    output,
    parallel_tool_calls: true,
    previous_response_id: null,
    prompt_cache_key: null,
    reasoning: reasons ? { effort: "medium", summary: "detailed" } : { effort: null, summary: null },
    safety_identifier: null,
    service_tier: "default",
    store: true,
    temperature: 1,
    text: { format: { type: "text" }, verbosity: "medium" },
    tool_choice: "auto",
    tools: [],
    top_logprobs: 0,
    top_p: 1,
    truncation: "disabled",
    usage: null,
    user: null,
    metadata: {},
    ...extra,
  };
}

/** The terminal Response: completed, or incomplete for max_tokens / content_filter. */
function finalResponse(r: ResolvedScript, output: Fields[]): Fields {
  if (!isIncomplete(r)) {
    return response(r, "completed", output, { completed_at: MOCK_CREATED + 1, usage: usageObject(r) });
  }
  const reason = r.stop === "max_tokens" ? "max_output_tokens" : "content_filter";
  return response(r, "incomplete", output, { incomplete_details: { reason }, usage: usageObject(r) });
}

function renderReasoning(r: ResolvedScript, b: MockBlock, i: number, out: number): Rendered {
  const id = b.type === "reasoning" && b.id ? b.id : itemId(r, "rs", i);
  const summaries = b.type === "reasoning" ? (b.summary ?? (b.text ? [b.text] : [])) : [];
  const given = b.type === "redacted_reasoning" ? b.data : b.type === "reasoning" ? b.encrypted : undefined;
  const encrypted_content = given ?? fakeEncrypted(r, i);
  const base = { item_id: id, output_index: out };
  const events: [string, Fields][] = [
    [
      "response.output_item.added",
      { output_index: out, item: { id, type: "reasoning", encrypted_content, summary: [] } },
    ],
  ];
  summaries.forEach((text, summary_index) => {
    const part = { type: "summary_text", text };
    events.push(["response.reasoning_summary_part.added", { ...base, summary_index, part: { ...part, text: "" } }]);
    for (const delta of pieces(text, r.chunkChars)) {
      events.push(["response.reasoning_summary_text.delta", { ...base, summary_index, delta }]);
    }
    events.push(["response.reasoning_summary_text.done", { ...base, summary_index, text }]);
    events.push(["response.reasoning_summary_part.done", { ...base, summary_index, part }]);
  });
  const summary = summaries.map((text) => ({ type: "summary_text", text }));
  return { events, item: { id, type: "reasoning", encrypted_content, summary } };
}

function renderMessage(r: ResolvedScript, text: string, refusal: boolean, i: number, out: number, status: string) {
  const id = itemId(r, "msg", i);
  const loc = { item_id: id, output_index: out, content_index: 0 };
  const empty = refusal
    ? { type: "refusal", refusal: "" }
    : { type: "output_text", annotations: [], logprobs: [], text: "" };
  const part = refusal ? { ...empty, refusal: text } : { ...empty, text };
  const item = { id, type: "message", status: "in_progress", content: [], role: "assistant" };
  const events: [string, Fields][] = [
    ["response.output_item.added", { output_index: out, item }],
    ["response.content_part.added", { ...loc, part: empty }],
  ];
  for (const delta of pieces(text, r.chunkChars)) {
    events.push(
      refusal
        ? ["response.refusal.delta", { ...loc, delta }]
        : ["response.output_text.delta", { ...loc, delta, logprobs: [] }],
    );
  }
  events.push(
    refusal
      ? ["response.refusal.done", { ...loc, refusal: text }]
      : ["response.output_text.done", { ...loc, text, logprobs: [] }],
  );
  events.push(["response.content_part.done", { ...loc, part }]);
  return { events, item: { ...item, status, content: [part] } };
}

function renderCall(
  r: ResolvedScript,
  b: Extract<MockBlock, { type: "tool_call" }>,
  i: number,
  out: number,
  status: string,
) {
  const call_id = b.id ?? `call_${toolSuffix(r, i, 24)}`;
  const loc = { item_id: "", output_index: out };
  const events: [string, Fields][] = [];
  let item: Fields;
  if (b.custom) {
    loc.item_id = itemId(r, "ctc", i);
    item = { id: loc.item_id, type: "custom_tool_call", call_id, input: "", name: b.name };
    events.push(["response.output_item.added", { output_index: out, item }]);
    for (const delta of pieces(b.arguments, r.chunkChars))
      events.push(["response.custom_tool_call_input.delta", { ...loc, delta }]);
    events.push(["response.custom_tool_call_input.done", { ...loc, input: b.arguments }]);
    item = { ...item, input: b.arguments };
  } else {
    loc.item_id = itemId(r, "fc", i);
    item = { id: loc.item_id, type: "function_call", status: "in_progress", arguments: "", call_id, name: b.name };
    events.push(["response.output_item.added", { output_index: out, item }]);
    for (const delta of pieces(b.arguments, r.chunkChars))
      events.push(["response.function_call_arguments.delta", { ...loc, delta }]);
    events.push(["response.function_call_arguments.done", { ...loc, name: b.name, arguments: b.arguments }]);
    item = { ...item, status, arguments: b.arguments };
  }
  return { events, item };
}

/** Renders block `i` (output index `i`); `last` marks the item a max_tokens / content_filter cut off. */
function renderBlock(r: ResolvedScript, b: MockBlock, i: number, last: boolean): Rendered {
  const status = last && isIncomplete(r) ? "incomplete" : "completed";
  switch (b.type) {
    case "reasoning":
    case "redacted_reasoning":
      return renderReasoning(r, b, i, i);
    case "text":
    case "refusal":
      return renderMessage(r, b.text, b.type === "refusal", i, i, status);
    case "tool_call":
      return renderCall(r, b, i, i, status);
  }
}

/**
 * The SSE events of a streamed Response: response.created, response.in_progress, each item's canonical
 * event sequence, then response.completed (or response.incomplete). A stream error is an `error` event
 * carrying both the flat fields and a nested `error` object, followed by response.failed.
 */
export function responsesStream(script: MockScript): string[] {
  const r = resolveScript(script);
  const blocks = streamedBlocks(r);
  const out: string[] = [];
  const emit = (type: string, fields: Fields) =>
    out.push(sseEvent(type, { type, sequence_number: out.length, ...fields }));
  emit("response.created", { response: response(r, "in_progress", []) });
  emit("response.in_progress", { response: response(r, "in_progress", []) });
  const items: Fields[] = [];
  blocks.forEach((b, i) => {
    const { events, item } = renderBlock(r, b, i, !r.streamError && i === blocks.length - 1);
    for (const [type, fields] of events) emit(type, fields);
    emit("response.output_item.done", { output_index: i, item });
    items.push(item);
  });
  if (r.streamError) {
    const { message, kind } = r.streamError;
    const { type, code } = openaiStreamError(kind);
    emit("error", { code, message, param: null, error: { type, code, message, param: null } });
    emit("response.failed", { response: response(r, "failed", items, { error: { code, message } }) });
    return out;
  }
  emit(isIncomplete(r) ? "response.incomplete" : "response.completed", { response: finalResponse(r, items) });
  return out;
}

/** The non-streaming Response object (`streamError` is ignored: use `providerErrorBody` for HTTP errors). */
export function responsesBody(script: MockScript): object {
  const r = resolveScript(script);
  return finalResponse(
    r,
    r.blocks.map((b, i) => renderBlock(r, b, i, i === r.blocks.length - 1).item),
  );
}
