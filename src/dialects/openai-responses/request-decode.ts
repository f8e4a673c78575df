import { isEffort } from "../../ir/effort.js";
import {
  expectArray,
  expectObject,
  expectOneOf,
  expectString,
  InputError,
  isObject,
  leftovers,
  optBoolean,
  optInteger,
  optString,
} from "../../ir/input-error.js";
import { boundedSchema } from "../../ir/json-bounds.js";
import type { Effort, Json, JsonObject, Message, Part, Request, TextPart, Tool, ToolChoice } from "../../ir/types.js";
import { decodeChatResponseFormat, decodeToolFormat } from "../openai-chat/tools-decode.js";
import {
  type FieldReads,
  OPENAI_CALLER,
  optStrings,
  readFields,
  readStreamOptions,
  SAMPLING,
  wireKeys,
} from "../request-fields.js";
import {
  decodeAssistantMessage,
  decodeCallItem,
  decodeInputContent,
  decodeReasoningItem,
  decodeToolOutput,
} from "./items.js";

const D = "openai-responses" as const;

/** The optional fields read by table (request-fields.ts), in their order. */
const SCALARS = {
  maxOutputTokens: ["max_output_tokens", optInteger],
  ...SAMPLING,
  store: ["store", optBoolean],
  previousResponseId: ["previous_response_id", optString],
  include: ["include", optStrings],
  truncation: ["truncation", optString],
  ...OPENAI_CALLER,
} as const satisfies FieldReads;

const KNOWN = new Set([
  "model",
  "input",
  "instructions",
  "tools",
  "tool_choice",
  "parallel_tool_calls",
  "text",
  "reasoning",
  ...wireKeys(SCALARS),
  "stream",
]);

const MESSAGE_ROLES = ["user", "assistant", "system", "developer"] as const;

class InputBuilder {
  readonly messages: Message[] = [];
  /** Tools declared inside the conversation (additional_tools items). */
  readonly inlineTools: Tool[] = [];
  /** The effort of the last configuration_update item. */
  effort: Effort | undefined;

  private assistant(): Part[] {
    const last = this.messages[this.messages.length - 1];
    if (last?.role === "assistant") return last.content;
    const m: Message = { role: "assistant", content: [] };
    this.messages.push(m);
    return m.content;
  }

  private toolResults(): Part[] {
    const last = this.messages[this.messages.length - 1];
    if (last?.role === "tool") return last.content;
    const m: Message = { role: "tool", content: [] };
    this.messages.push(m);
    return m.content;
  }

  item(value: Json, path: string): void {
    const item = expectObject(value, path);
    const type = item.type ?? (item.role !== undefined ? "message" : undefined);
    if (type === undefined) throw new InputError(`${path}.type`, `${path}.type is required`);
    switch (type) {
      case "message": {
        const role = expectOneOf(item.role, MESSAGE_ROLES, `${path}.role`);
        if (role === "assistant") {
          this.assistant().push(...decodeAssistantMessage(item, path));
          return;
        }
        const m: Message = { role, content: decodeInputContent(item.content, `${path}.content`) };
        const rest = leftovers(item, new Set(["type", "role", "content"]));
        if (rest) m.extras = { dialect: D, fields: rest };
        this.messages.push(m);
        return;
      }
      case "function_call":
      case "custom_tool_call":
        this.assistant().push(decodeCallItem(item, path));
        return;
      case "reasoning":
        this.assistant().push(decodeReasoningItem(item));
        return;
      case "function_call_output":
      case "custom_tool_call_output": {
        const part: Part = {
          type: "tool_result",
          callId: expectString(item.call_id, `${path}.call_id`),
          content: decodeToolOutput(item.output, `${path}.output`),
          kind: type === "custom_tool_call_output" ? "custom" : "function",
        };
        const rest = leftovers(item, new Set(["type", "call_id", "output"]));
        if (rest) part.extras = { dialect: D, fields: rest };
        this.toolResults().push(part);
        return;
      }
      case "additional_tools": {
        // Tools declared mid-conversation: kept in place for a Responses upstream, declared for the others.
        const tools: Tool[] = [];
        expectArray(item.tools ?? [], `${path}.tools`).forEach((t, i) => {
          decodeTool(t, `${path}.tools[${i}]`, tools);
        });
        for (const t of tools) if (t.kind !== "raw") t.inline = true;
        this.inlineTools.push(...tools);
        this.assistant().push({ type: "raw", dialect: D, value: item });
        return;
      }
      case "configuration_update":
        if (isObject(item.reasoning) && isEffort(item.reasoning.effort)) this.effort = item.reasoning.effort;
        this.assistant().push({ type: "raw", dialect: D, value: item });
        return;
      default:
        // item_reference, built-in tool calls and their outputs, compaction items: Responses-only.
        expectString(type, `${path}.type`);
        this.assistant().push({ type: "raw", dialect: D, value: item });
    }
  }
}

function decodeTool(value: Json, path: string, out: Tool[], namespace?: { name: string; info?: JsonObject }): void {
  const outer = expectObject(value, path);
  // Chat-style nested envelopes ({type:"function", function:{…}}, {type:"custom", custom:{…}}) that some
  // clients (Cursor) put in Responses bodies: read the inner object.
  const inner = outer.type === "function" ? outer.function : outer.type === "custom" ? outer.custom : undefined;
  const t: JsonObject = isObject(inner) ? { ...inner, type: outer.type ?? null } : outer;
  const ns = namespace ? { namespace: namespace.name } : {};
  const nsInfo = namespace?.info ? { namespaceInfo: namespace.info } : {};
  switch (t.type) {
    case "function": {
      const tool: Tool = { kind: "function", name: expectString(t.name, `${path}.name`), ...ns, ...nsInfo };
      const description = optString(t.description, `${path}.description`);
      if (description !== undefined) tool.description = description;
      if (t.parameters !== undefined && t.parameters !== null)
        tool.parameters = boundedSchema(t.parameters, `${path}.parameters`);
      const strict = optBoolean(t.strict, `${path}.strict`);
      if (strict !== undefined) tool.strict = strict;
      const rest = leftovers(t, new Set(["type", "name", "description", "parameters", "strict"]));
      if (rest) tool.extras = { dialect: D, fields: rest };
      out.push(tool);
      return;
    }
    case "custom": {
      const tool: Tool = { kind: "custom", name: expectString(t.name, `${path}.name`), ...ns, ...nsInfo };
      const description = optString(t.description, `${path}.description`);
      if (description !== undefined) tool.description = description;
      const format = decodeToolFormat(t.format, `${path}.format`);
      if (format) tool.format = format;
      out.push(tool);
      return;
    }
    case "namespace": {
      const name = expectString(t.name, `${path}.name`);
      const info = leftovers(t, new Set(["type", "name", "tools"]));
      expectArray(t.tools, `${path}.tools`).forEach((inner, i) => {
        decodeTool(inner, `${path}.tools[${i}]`, out, info ? { name, info } : { name });
      });
      return;
    }
    default:
      expectString(t.type, `${path}.type`);
      out.push({ kind: "raw", dialect: D, value: t });
  }
}

function decodeToolChoice(value: Json | undefined, path: string): ToolChoice | undefined {
  if (value === undefined || value === null) return undefined;
  if (typeof value === "string") return { type: expectOneOf(value, ["auto", "none", "required"] as const, path) };
  const tc = expectObject(value, path);
  switch (tc.type) {
    case "function":
      return {
        type: "tool",
        name: expectString(isObject(tc.function) ? tc.function.name : tc.name, `${path}.name`),
        kind: "function",
      };
    case "custom":
      return {
        type: "tool",
        name: expectString(isObject(tc.custom) ? tc.custom.name : tc.name, `${path}.name`),
        kind: "custom",
      };
    case "allowed_tools":
      return {
        type: "allowed",
        mode: expectOneOf(tc.mode, ["auto", "required"] as const, `${path}.mode`),
        names: expectArray(tc.tools, `${path}.tools`).map((t, i) =>
          expectString(expectObject(t, `${path}.tools[${i}]`).name, `${path}.tools[${i}].name`),
        ),
      };
    default:
      return { type: "raw", dialect: D, value: tc };
  }
}

/** OpenAI Responses request body → IR. Throws InputError naming the field on malformed input. */
export function decodeResponsesRequest(value: Json): Request {
  const body = expectObject(value, "body");
  const model = expectString(body.model, "model");
  const builder = new InputBuilder();
  const input = body.input;
  if (typeof input === "string") builder.messages.push({ role: "user", content: [{ type: "text", text: input }] });
  else if (input !== undefined && input !== null) {
    expectArray(input, "input").forEach((item, i) => {
      builder.item(item, `input[${i}]`);
    });
  }

  const req: Request = {
    source: D,
    model,
    messages: builder.messages,
    stream: optBoolean(body.stream, "stream") ?? false,
  };
  const fields: JsonObject = leftovers(body, KNOWN) ?? {};
  // A null `messages` next to `input` (Cursor) carries nothing.
  if (fields.messages === null) delete fields.messages;
  // include_usage is a Chat option some clients send here; the rest are Responses stream options.
  readStreamOptions(req, body, fields);
  const instructions = optString(body.instructions, "instructions");
  if (instructions !== undefined) req.instructions = [{ type: "text", text: instructions } satisfies TextPart];

  if (body.tools !== undefined && body.tools !== null) {
    const tools: Tool[] = [];
    expectArray(body.tools, "tools").forEach((t, i) => {
      decodeTool(t, `tools[${i}]`, tools);
    });
    req.tools = tools;
  }
  if (builder.inlineTools.length > 0) req.tools = [...(req.tools ?? []), ...builder.inlineTools];
  const choice = decodeToolChoice(body.tool_choice, "tool_choice");
  if (choice) req.toolChoice = choice;
  const parallel = optBoolean(body.parallel_tool_calls, "parallel_tool_calls");
  if (parallel !== undefined) req.parallelToolCalls = parallel;

  if (body.text !== undefined && body.text !== null) {
    const text = expectObject(body.text, "text");
    if (text.format !== undefined && text.format !== null) {
      const f = expectObject(text.format, "text.format");
      const rf =
        f.type === "json_schema"
          ? decodeChatResponseFormat(
              { type: "json_schema", json_schema: { ...f, name: f.name ?? "response" } },
              "text.format",
              "text.format.schema",
            )
          : decodeChatResponseFormat(f, "text.format");
      if (rf) req.responseFormat = rf;
    }
    const verbosity = optString(text.verbosity, "text.verbosity");
    if (verbosity !== undefined) req.verbosity = verbosity;
    const rest = leftovers(text, new Set(["format", "verbosity"]));
    if (rest) fields.text = rest;
  }
  if (body.reasoning !== undefined && body.reasoning !== null) {
    const r = expectObject(body.reasoning, "reasoning");
    req.reasoning = {};
    if (r.effort !== undefined && r.effort !== null) {
      if (!isEffort(r.effort)) {
        throw new InputError(
          "reasoning.effort",
          "reasoning.effort must be one of none, minimal, low, medium, high, xhigh, max",
        );
      }
      req.reasoning.effort = r.effort;
    }
    const summary = r.summary ?? r.generate_summary;
    if (summary !== undefined)
      req.reasoning.summary = summary === null ? null : expectString(summary, "reasoning.summary");
    const rest = leftovers(r, new Set(["effort", "summary", "generate_summary"]));
    if (rest) fields.reasoning = rest;
  }
  if (builder.effort) req.reasoning = { ...req.reasoning, effort: builder.effort };
  readFields(req, body, SCALARS);

  if (Object.keys(fields).length > 0) req.extras = { dialect: D, fields };
  return req;
}
