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
  optStringList,
} from "../../ir/input-error.js";
import { boundedSchema } from "../../ir/json-bounds.js";
import type {
  Json,
  JsonObject,
  Message,
  Part,
  ReasoningConfig,
  Request,
  TextPart,
  Tool,
  ToolChoice,
} from "../../ir/types.js";
import { type FieldReads, readFields, SAMPLING, wireKeys } from "../request-fields.js";
import { decodeBlock, decodeText } from "./content.js";

const D = "anthropic" as const;

/** The optional fields read by table (request-fields.ts), in their order. */
const SAMPLED = {
  stop: ["stop_sequences", optStringList],
  ...SAMPLING,
  topK: ["top_k", optInteger],
} as const satisfies FieldReads;

const KNOWN = new Set([
  "model",
  "max_tokens",
  "messages",
  "system",
  ...wireKeys(SAMPLED),
  "stream",
  "thinking",
  "output_config",
  "tools",
  "tool_choice",
  "metadata",
  "service_tier",
]);

const ROLES = ["user", "assistant", "system"] as const;

function decodeContent(value: Json | undefined, path: string): Part[] {
  if (typeof value === "string") return [{ type: "text", text: value }];
  return expectArray(value, path).map((b, i) => decodeBlock(b, `${path}[${i}]`));
}

function decodeSystem(value: Json | undefined, path: string): TextPart[] | undefined {
  if (value === undefined || value === null) return undefined;
  if (typeof value === "string") return value.length > 0 ? [{ type: "text", text: value }] : [];
  return expectArray(value, path).map((b, i) => {
    const p = `${path}[${i}]`;
    const block = expectObject(b, p);
    if (block.type !== "text") throw new InputError(`${p}.type`, `${p}.type must be 'text'`);
    return decodeText(block, p);
  });
}

/** Splits a user turn into its tool results (a `tool` message) and the rest (a `user` message). */
function pushUser(messages: Message[], parts: Part[]): void {
  const results = parts.filter((p) => p.type === "tool_result");
  const rest = parts.filter((p) => p.type !== "tool_result");
  if (results.length > 0) messages.push({ role: "tool", content: results });
  if (rest.length > 0 || results.length === 0) messages.push({ role: "user", content: rest });
}

function decodeTool(value: Json, path: string): Tool {
  const t = expectObject(value, path);
  const type = t.type;
  if (type === undefined || type === null || type === "custom") {
    const tool: Tool = { kind: "function", name: expectString(t.name, `${path}.name`) };
    const description = optString(t.description, `${path}.description`);
    if (description !== undefined) tool.description = description;
    if (t.input_schema !== undefined)
      tool.parameters = boundedSchema(expectObject(t.input_schema, `${path}.input_schema`), `${path}.input_schema`);
    const strict = optBoolean(t.strict, `${path}.strict`);
    if (strict !== undefined) tool.strict = strict;
    if (t.cache_control != null) tool.cacheControl = t.cache_control;
    const rest = leftovers(t, new Set(["type", "name", "description", "input_schema", "strict", "cache_control"]));
    if (rest) tool.extras = { dialect: D, fields: rest };
    return tool;
  }
  // Versioned Anthropic-defined tools (web_search_2025…, bash_…, text_editor_…): Anthropic-only.
  expectString(type, `${path}.type`);
  return { kind: "raw", dialect: D, value: t };
}

function decodeToolChoice(value: Json | undefined, path: string): { choice?: ToolChoice; parallel?: boolean } {
  if (value === undefined || value === null) return {};
  const tc = expectObject(value, path);
  const type = expectOneOf(tc.type, ["auto", "any", "tool", "none"] as const, `${path}.type`);
  const parallel = optBoolean(tc.disable_parallel_tool_use, `${path}.disable_parallel_tool_use`);
  const out: { choice?: ToolChoice; parallel?: boolean } = {};
  if (parallel !== undefined) out.parallel = !parallel;
  switch (type) {
    case "auto":
      out.choice = { type: "auto" };
      break;
    case "none":
      out.choice = { type: "none" };
      break;
    case "any":
      out.choice = { type: "required" };
      break;
    case "tool":
      out.choice = { type: "tool", name: expectString(tc.name, `${path}.name`) };
      break;
  }
  return out;
}

function decodeReasoning(body: JsonObject): ReasoningConfig | undefined {
  let reasoning: ReasoningConfig | undefined;
  if (body.thinking !== undefined && body.thinking !== null) {
    const th = expectObject(body.thinking, "thinking");
    const mode = expectOneOf(th.type, ["enabled", "adaptive", "disabled"] as const, "thinking.type");
    reasoning = { mode };
    if (mode === "enabled") {
      const budget = optInteger(th.budget_tokens, "thinking.budget_tokens");
      if (budget === undefined) throw new InputError("thinking.budget_tokens", "thinking.budget_tokens is required");
      reasoning.budgetTokens = budget;
    }
    const display = optString(th.display, "thinking.display");
    if (display !== undefined) reasoning.display = display;
  }
  if (isObject(body.output_config) && body.output_config.effort != null) {
    const effort = body.output_config.effort;
    if (!isEffort(effort)) {
      throw new InputError("output_config.effort", "output_config.effort must be one of low, medium, high, xhigh, max");
    }
    reasoning = { ...reasoning, effort };
  }
  return reasoning;
}

/** Anthropic Messages request body → IR. Throws InputError naming the field on malformed input. */
export function decodeAnthropicRequest(value: Json): Request {
  const body = expectObject(value, "body");
  const model = expectString(body.model, "model");
  const maxTokens = optInteger(body.max_tokens, "max_tokens");
  const rawMessages = expectArray(body.messages, "messages");

  const messages: Message[] = [];
  rawMessages.forEach((m, i) => {
    const path = `messages[${i}]`;
    const msg = expectObject(m, path);
    const role = expectOneOf(msg.role, ROLES, `${path}.role`);
    const parts = decodeContent(msg.content, `${path}.content`);
    if (role === "user") pushUser(messages, parts);
    else messages.push({ role, content: parts });
  });

  const req: Request = { source: D, model, messages, stream: optBoolean(body.stream, "stream") ?? false };
  if (maxTokens !== undefined) req.maxOutputTokens = maxTokens;
  const system = decodeSystem(body.system, "system");
  if (system) req.instructions = system;
  readFields(req, body, SAMPLED);
  const reasoning = decodeReasoning(body);
  if (reasoning) req.reasoning = reasoning;

  if (body.tools !== undefined && body.tools !== null) {
    req.tools = expectArray(body.tools, "tools").map((t, i) => decodeTool(t, `tools[${i}]`));
  }
  const tc = decodeToolChoice(body.tool_choice, "tool_choice");
  if (tc.choice) req.toolChoice = tc.choice;
  if (tc.parallel !== undefined) req.parallelToolCalls = tc.parallel;

  if (isObject(body.metadata)) {
    const userId = optString(body.metadata.user_id, "metadata.user_id");
    if (userId !== undefined) req.user = userId;
    const otherMeta = leftovers(body.metadata, new Set(["user_id"]));
    if (otherMeta) req.metadata = otherMeta;
  }
  readFields(req, body, { serviceTier: ["service_tier", optString] });

  if (isObject(body.output_config) && body.output_config.format != null) {
    const fmt = expectObject(body.output_config.format, "output_config.format");
    if (fmt.type === "json_schema")
      req.responseFormat = {
        type: "json_schema",
        schema: boundedSchema(fmt.schema ?? null, "output_config.format.schema"),
      };
  }

  const fields = leftovers(body, KNOWN) ?? {};
  if (isObject(body.output_config)) {
    const restConfig = leftovers(body.output_config, new Set(["effort", "format"]));
    if (restConfig) fields.output_config = restConfig;
  }
  if (Object.keys(fields).length > 0) req.extras = { dialect: D, fields };
  return req;
}
