import { budgetToEffort } from "../../ir/effort.js";
import { shortHash } from "../../ir/ids.js";
import {
  expectArray,
  expectObject,
  expectOneOf,
  InputError,
  isObject,
  leftovers,
  optBoolean,
  optInteger,
  optNumber,
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
  ToolCallPart,
  ToolChoice,
} from "../../ir/types.js";
import { type FieldReads, type Read, readFields, wireKeys } from "../request-fields.js";
import { D, decodePart, field, knownKeys, names } from "./parts.js";

const KNOWN = knownKeys([
  "model",
  "stream",
  "contents",
  "systemInstruction",
  "tools",
  "toolConfig",
  "generationConfig",
]);

/** Stop sequences; an empty list stops nothing and is left unset. */
const optStops: Read<string[]> = (value, path) => {
  const list = optStringList(value, path);
  return list?.length ? list : undefined;
};

/** generationConfig's sampling and length fields (camelCase; the snake_case spelling is read too). */
const GENERATION = {
  temperature: ["temperature", optNumber],
  topP: ["topP", optNumber],
  topK: ["topK", optInteger],
  maxOutputTokens: ["maxOutputTokens", optInteger],
  stop: ["stopSequences", optStops],
  seed: ["seed", optInteger],
} as const satisfies FieldReads;

const GEN_KNOWN = knownKeys([
  ...wireKeys(GENERATION),
  "candidateCount",
  "responseMimeType",
  "responseSchema",
  "responseJsonSchema",
  "thinkingConfig",
]);

function decodeSystem(value: Json | undefined): TextPart[] | undefined {
  if (value === undefined || value === null) return undefined;
  if (typeof value === "string") return [{ type: "text", text: value }];
  const sys = expectObject(value, "systemInstruction");
  return expectArray(sys.parts ?? [], "systemInstruction.parts").flatMap((p, i) => {
    const part = expectObject(p, `systemInstruction.parts[${i}]`);
    return typeof part.text === "string" ? [{ type: "text" as const, text: part.text }] : [];
  });
}

/**
 * Gives every call an id and every result the id of its call: Gemini pairs them by order and name and
 * only sometimes sends ids (Gemini CLI invents its own for the result). A missing call id is derived from
 * the call's place in the conversation, so the same history always yields the same ids.
 */
function pairCalls(messages: Message[]): void {
  let pending: ToolCallPart[] = [];
  messages.forEach((m, i) => {
    if (m.role === "assistant") {
      pending = [];
      m.content.forEach((p, j) => {
        if (p.type !== "tool_call") return;
        if (!p.id) p.id = `call_${shortHash(`${i}:${j}:${p.name}`, 16)}`;
        pending.push(p);
      });
      return;
    }
    if (m.role !== "tool") return;
    for (const p of m.content) {
      if (p.type !== "tool_result") continue;
      const name = names.get(p.content);
      let k = p.callId ? pending.findIndex((c) => c.id === p.callId) : -1;
      if (k === -1) k = pending.findIndex((c) => c.name === name);
      if (k !== -1) {
        p.callId = pending[k]!.id;
        pending.splice(k, 1);
      } else if (!p.callId) p.callId = `call_${shortHash(`${i}:${name ?? ""}`, 16)}`;
    }
  });
}

function decodeContents(value: Json | undefined): Message[] {
  const messages: Message[] = [];
  expectArray(value ?? [], "contents").forEach((c, i) => {
    const path = `contents[${i}]`;
    const content = expectObject(c, path);
    const role =
      content.role === undefined
        ? "user"
        : expectOneOf(content.role, ["user", "model", "function"] as const, `${path}.role`);
    const side = role === "model" ? "model" : "user";
    const parts: Part[] = expectArray(content.parts ?? [], `${path}.parts`).flatMap((p, j) =>
      decodePart(p, `${path}.parts[${j}]`, side),
    );
    if (side === "model") {
      messages.push({ role: "assistant", content: parts });
      return;
    }
    const results = parts.filter((p) => p.type === "tool_result");
    const rest = parts.filter((p) => p.type !== "tool_result" && p.type !== "reasoning" && p.type !== "tool_call");
    if (results.length > 0) messages.push({ role: "tool", content: results });
    if (rest.length > 0 || results.length === 0) messages.push({ role: "user", content: rest });
  });
  pairCalls(messages);
  return messages;
}

function decodeTools(value: Json | undefined): Tool[] | undefined {
  if (value === undefined || value === null) return undefined;
  const tools: Tool[] = [];
  expectArray(value, "tools").forEach((t, i) => {
    const path = `tools[${i}]`;
    const entry = expectObject(t, path);
    const decls = field(entry, "functionDeclarations");
    if (decls !== undefined) {
      expectArray(decls, `${path}.functionDeclarations`).forEach((d, j) => {
        const dp = `${path}.functionDeclarations[${j}]`;
        const decl = expectObject(d, dp);
        if (typeof decl.name !== "string") throw new InputError(`${dp}.name`, `${dp}.name must be a string`);
        const tool: Tool = { kind: "function", name: decl.name };
        const description = optString(decl.description, `${dp}.description`);
        if (description !== undefined) tool.description = description;
        const params = field(decl, "parametersJsonSchema") ?? decl.parameters;
        if (params !== undefined && params !== null)
          tool.parameters = boundedSchema(expectObject(params, `${dp}.parameters`), `${dp}.parameters`);
        const rest = leftovers(decl, knownKeys(["name", "description", "parameters", "parametersJsonSchema"]));
        if (rest) tool.extras = { dialect: D, fields: rest };
        tools.push(tool);
      });
    }
    const others = leftovers(entry, knownKeys(["functionDeclarations"]));
    if (others) tools.push({ kind: "raw", dialect: D, value: others });
  });
  return tools;
}

function decodeToolChoice(value: Json | undefined): ToolChoice | undefined {
  if (!isObject(value)) return undefined;
  const cfg = field(value, "functionCallingConfig");
  if (!isObject(cfg)) return undefined;
  const mode =
    cfg.mode === undefined
      ? "AUTO"
      : expectOneOf(
          cfg.mode,
          ["AUTO", "ANY", "NONE", "VALIDATED", "MODE_UNSPECIFIED"] as const,
          "toolConfig.functionCallingConfig.mode",
        );
  const allowed = optStringList(
    field(cfg, "allowedFunctionNames"),
    "toolConfig.functionCallingConfig.allowedFunctionNames",
  );
  if (mode === "NONE") return { type: "none" };
  if (mode === "ANY") {
    if (allowed?.length === 1) return { type: "tool", name: allowed[0]! };
    return allowed?.length ? { type: "allowed", mode: "required", names: allowed } : { type: "required" };
  }
  return allowed?.length ? { type: "allowed", mode: "auto", names: allowed } : { type: "auto" };
}

function decodeThinking(cfg: Json | undefined): ReasoningConfig | undefined {
  if (!isObject(cfg)) return undefined;
  const reasoning: ReasoningConfig = {};
  const budget = optInteger(field(cfg, "thinkingBudget"), "generationConfig.thinkingConfig.thinkingBudget");
  if (budget === 0) reasoning.mode = "disabled";
  else if (budget !== undefined && budget > 0) {
    reasoning.mode = "enabled";
    reasoning.budgetTokens = budget;
    reasoning.effort = budgetToEffort(budget);
  }
  const level = optString(field(cfg, "thinkingLevel"), "generationConfig.thinkingConfig.thinkingLevel");
  if (level !== undefined) {
    const l = level.toLowerCase();
    if (l === "minimal" || l === "low" || l === "medium" || l === "high") reasoning.effort = l;
  }
  const include = optBoolean(field(cfg, "includeThoughts"), "generationConfig.thinkingConfig.includeThoughts");
  if (include === false) reasoning.summary = null;
  else if (include === true) reasoning.summary = "auto";
  return Object.keys(reasoning).length > 0 ? reasoning : undefined;
}

/**
 * Gemini generateContent request body → IR. The model and streaming come from the URL
 * (`/v1beta/models/{model}:streamGenerateContent`); the gateway passes them as `model` and `stream`.
 */
export function decodeGeminiRequest(value: Json): Request {
  const body = expectObject(value, "body");
  const req: Request = {
    source: D,
    model: typeof body.model === "string" ? body.model : "",
    messages: decodeContents(body.contents),
    stream: body.stream === true,
  };
  const system = decodeSystem(field(body, "systemInstruction"));
  if (system?.length) req.instructions = system;
  const tools = decodeTools(body.tools);
  if (tools?.length) req.tools = tools;
  const choice = decodeToolChoice(field(body, "toolConfig"));
  if (choice) req.toolChoice = choice;

  const fields = leftovers(body, KNOWN) ?? {};
  const gen = field(body, "generationConfig");
  if (gen !== undefined && gen !== null) {
    const g = expectObject(gen, "generationConfig");
    const p = (k: string) => `generationConfig.${k}`;
    readFields(req, g, GENERATION, field, p);
    const n = optInteger(field(g, "candidateCount"), p("candidateCount"));
    if (n !== undefined && n !== 1)
      throw new InputError(p("candidateCount"), `${p("candidateCount")} must be 1: llmux serves one candidate`);
    const mime = optString(field(g, "responseMimeType"), p("responseMimeType"));
    const schema = field(g, "responseJsonSchema") ?? field(g, "responseSchema");
    if (mime === "application/json" || schema !== undefined) {
      req.responseFormat =
        schema !== undefined && schema !== null
          ? {
              type: "json_schema",
              name: "response",
              schema: boundedSchema(
                schema,
                p(field(g, "responseJsonSchema") !== undefined ? "responseJsonSchema" : "responseSchema"),
              ),
            }
          : { type: "json_object" };
    }
    const reasoning = decodeThinking(field(g, "thinkingConfig"));
    if (reasoning) req.reasoning = reasoning;
    const restGen = leftovers(g, GEN_KNOWN);
    if (restGen) fields.generationConfig = restGen;
  }
  if (Object.keys(fields).length > 0) req.extras = { dialect: D, fields: fields as JsonObject };
  return req;
}
