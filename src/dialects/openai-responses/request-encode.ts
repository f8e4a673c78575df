import { budgetToEffort } from "../../ir/effort.js";
import { shortenId } from "../../ir/ids.js";
import type { Json, JsonObject, Message, Request, TextPart, Tool, UserPart } from "../../ir/types.js";
import { Warnings } from "../../ir/warnings.js";
import { applyOwnExtras } from "../extras.js";
import { encodeOpenAIToolChoice } from "../openai-tool-choice.js";
import type { Encoded, ToolMapping } from "../types.js";
import { callItem, encodeInputPart, itemFieldsOf, outputText, reasoningItem } from "./items.js";

const D = "openai-responses" as const;

/** Responses (and Azure) reject call ids longer than this; longer ones are shortened the same way on call and result. */
const CALL_ID_MAX = 64;

export interface ResponsesRequestOptions {
  /**
   * Reasoning summary to ask for when the request names none (so reasoning can be shown to clients that
   * did not speak Responses). Default "auto"; null asks for none (organisations without summary access).
   */
  defaultSummary?: string | null;
  /** `store` for requests translated from another dialect. Default false: llmux keeps the state. */
  store?: boolean;
  /** Ask the upstream not to pad stream events (obfuscation is useless between a gateway and its provider). */
  noObfuscation?: boolean;
}

export interface ResponsesRequestResult {
  body: JsonObject;
  tools: ToolMapping;
}

class ResponsesRequestWriter {
  readonly warnings = new Warnings();
  private droppedReasoning = 0;
  /** Call id → kind, so each result pairs with the right output item type. */
  private readonly callKinds = new Map<string, "function" | "custom">();

  constructor(
    private readonly req: Request,
    private readonly opts: ResponsesRequestOptions,
  ) {}

  encode(): JsonObject {
    const { req } = this;
    const same = req.source === D;
    const body: JsonObject = { model: req.model };
    let messages = req.messages;
    const instructions: string[] = (req.instructions ?? []).map((p) => p.text).filter(Boolean);
    if (!same) {
      // Leading system/developer messages become `instructions`, as Responses intends.
      let i = 0;
      while (i < messages.length && (messages[i]!.role === "system" || messages[i]!.role === "developer")) {
        const text = (messages[i]!.content as TextPart[]).map((p) => p.text).join("");
        if (text) instructions.push(text);
        i++;
      }
      messages = messages.slice(i);
    }
    if (instructions.length > 0) body.instructions = instructions.join("\n\n");
    for (const m of messages) for (const p of m.content) if (p.type === "tool_call") this.callKinds.set(p.id, p.kind);
    const input: JsonObject[] = [];
    messages.forEach((m, i) => {
      this.message(m, `messages[${i}]`, input);
    });
    body.input = input;
    if (this.droppedReasoning > 0) {
      this.warnings.add(
        "reasoning_dropped",
        `${this.droppedReasoning} reasoning part(s) without Responses encrypted content were not sent (opaque reasoning cannot cross providers)`,
      );
    }

    if (req.tools?.length) {
      const tools = this.toolDefs(req.tools);
      if (tools.length > 0) body.tools = tools;
    }
    const choice = this.toolChoice();
    if (choice !== undefined) body.tool_choice = choice;
    if (req.parallelToolCalls !== undefined) body.parallel_tool_calls = req.parallelToolCalls;

    const reasoning = this.reasoning();
    if (reasoning) body.reasoning = reasoning;
    const text: JsonObject = {};
    const rf = req.responseFormat;
    if (rf) {
      if (rf.type === "json_schema") {
        const f: JsonObject = { type: "json_schema", name: rf.name ?? "response" };
        if (rf.schema !== undefined) f.schema = rf.schema;
        if (rf.strict !== undefined) f.strict = rf.strict;
        if (rf.description !== undefined) f.description = rf.description;
        text.format = f;
      } else text.format = { type: rf.type };
    }
    if (req.verbosity !== undefined) text.verbosity = req.verbosity;
    if (Object.keys(text).length > 0) body.text = text;

    if (req.maxOutputTokens !== undefined) {
      if (req.maxOutputTokens < 16) {
        this.warnings.add(
          "max_tokens_raised",
          "max_output_tokens raised to 16 (the Responses minimum)",
          "max_output_tokens",
        );
      }
      body.max_output_tokens = Math.max(16, req.maxOutputTokens);
    }
    if (req.temperature !== undefined) body.temperature = req.temperature;
    if (req.topP !== undefined) body.top_p = req.topP;
    const store = same ? req.store : (this.opts.store ?? false);
    if (store !== undefined) body.store = store;
    if (req.previousResponseId !== undefined) body.previous_response_id = req.previousResponseId;
    const include = [...(req.include ?? [])];
    if (!same && store === false && reasoning && !include.includes("reasoning.encrypted_content")) {
      include.push("reasoning.encrypted_content");
    }
    if (include.length > 0) body.include = include;
    if (req.truncation !== undefined) body.truncation = req.truncation;
    if (req.user !== undefined) body.user = req.user;
    if (req.metadata) body.metadata = req.metadata;
    if (req.promptCacheKey !== undefined) body.prompt_cache_key = req.promptCacheKey;
    if (req.serviceTier !== undefined) body.service_tier = req.serviceTier;
    body.stream = req.stream;
    const ownStreamOptions = req.extras?.dialect === D && req.extras.fields.stream_options !== undefined;
    if (req.stream && this.opts.noObfuscation && !ownStreamOptions) {
      // Random padding against side channels is useless between llmux and the provider.
      body.stream_options = { include_obfuscation: false };
    }

    if (!same) {
      const w = this.warnings;
      if (req.stop?.length) w.add("dropped_field", "Responses has no stop sequences; stop was dropped", "stop");
      if (req.seed !== undefined) w.add("dropped_field", "Responses has no seed; it was dropped", "seed");
      if (req.topK !== undefined) w.add("dropped_field", "Responses has no top_k; it was dropped", "top_k");
    }
    applyOwnExtras(body, req.extras, D, this.warnings, "Responses");
    return body;
  }

  private reasoning(): JsonObject | undefined {
    const r = this.req.reasoning;
    const same = this.req.source === D;
    if (!r) return undefined;
    const out: JsonObject = {};
    let effort = r.effort;
    if (!effort && r.mode === "enabled" && r.budgetTokens !== undefined) effort = budgetToEffort(r.budgetTokens);
    if (!effort && r.mode === "disabled") return undefined;
    if (effort) out.effort = effort;
    if (r.summary === undefined && !same) {
      const s = this.opts.defaultSummary === undefined ? "auto" : this.opts.defaultSummary;
      if (s !== null && s !== "none") out.summary = s;
    } else if (r.summary !== undefined && r.summary !== null && r.summary !== "none") out.summary = r.summary;
    // null or "none" (no summary, the default) is left out, for organisations without summary access.
    return Object.keys(out).length > 0 || same ? out : undefined;
  }

  private message(m: Message, path: string, out: JsonObject[]): void {
    const same = this.req.source === D;
    const own = m.extras?.dialect === D ? m.extras.fields : undefined;
    switch (m.role) {
      case "system":
      case "developer":
      case "user": {
        const content: JsonObject[] = [];
        (m.content as UserPart[]).forEach((p, j) => {
          const part = encodeInputPart(p, this.warnings, `${path}.content[${j}]`, this.req.source);
          if (part) content.push(part);
        });
        out.push({ ...own, type: "message", role: m.role, content });
        return;
      }
      case "tool":
        for (const p of m.content) {
          if (p.type !== "tool_result") continue;
          const hasMedia = p.content.some((c) => c.type !== "text");
          let output: Json;
          if (hasMedia) {
            output = [];
            p.content.forEach((c, j) => {
              const part = encodeInputPart(c, this.warnings, `${path}.content[${j}]`, this.req.source);
              if (part) (output as Json[]).push(part);
            });
          } else output = p.content.map((c) => (c as TextPart).text).join("");
          if (p.isError) {
            this.warnings.add(
              "is_error_lossy",
              "Responses has no is_error flag; error results are prefixed with [error]",
              path,
            );
            if (typeof output === "string") output = `[error] ${output}`;
            else (output as Json[]).unshift({ type: "input_text", text: "[error]" });
          }
          const item: JsonObject = {
            type:
              (p.kind ?? this.callKinds.get(p.callId)) === "custom"
                ? "custom_tool_call_output"
                : "function_call_output",
            call_id: shortenId(p.callId, CALL_ID_MAX),
            output,
          };
          if (p.extras?.dialect === D) Object.assign(item, p.extras.fields);
          out.push(item);
        }
        return;
      case "assistant": {
        const items: JsonObject[] = [];
        let msg: JsonObject | undefined;
        for (const p of m.content) {
          if (p.type === "text" || p.type === "refusal") {
            const fields = p.type === "text" ? itemFieldsOf(p) : undefined;
            if (!msg || (fields && same)) {
              msg = { type: "message", role: "assistant", content: [] };
              if (fields && same) Object.assign(msg, fields);
              else if (fields?.phase !== undefined) msg.phase = fields.phase;
              items.push(msg);
            }
            const content = msg.content as Json[];
            if (p.type === "refusal") content.push({ type: "refusal", refusal: p.text });
            else if (p.text.length > 0 || same) content.push(outputText(p));
            continue;
          }
          msg = undefined;
          if (p.type === "reasoning") {
            // Only reasoning this provider can read goes back: its encrypted content (or, same dialect, its id).
            if (p.encrypted === undefined && !(same && p.id)) this.droppedReasoning++;
            else items.push(reasoningItem(p, p.id));
          } else if (p.type === "tool_call") {
            items.push(callItem({ ...p, id: shortenId(p.id, CALL_ID_MAX) }, same ? p.itemId : undefined));
          } else if (p.type === "raw") {
            if (p.dialect === D) items.push(p.value);
            else
              this.warnings.add(
                "unsupported_content",
                "assistant content with no Responses equivalent was dropped",
                path,
              );
          }
        }
        for (const item of items) {
          // Clients send empty assistant turns (`content: []`); Responses has nothing to say for them.
          const empty = item.type === "message" && (item.content as Json[]).length === 0;
          if (!empty || same) out.push(item);
        }
        return;
      }
    }
  }

  private toolDefs(tools: Tool[]): JsonObject[] {
    const same = this.req.source === D;
    const out: JsonObject[] = [];
    const namespaces = new Map<string, JsonObject[]>();
    tools.forEach((t, i) => {
      if (t.kind !== "raw" && t.inline && same) return; // still declared by its additional_tools item
      if (t.kind === "raw") {
        if (t.dialect === D) out.push(t.value);
        else this.warnings.toolDropped(t.value, "Responses", `tools[${i}]`);
        return;
      }
      let def: JsonObject;
      if (t.kind === "custom") {
        def = { type: "custom", name: t.name };
        if (t.description !== undefined) def.description = t.description;
        if (t.format)
          def.format =
            t.format.type === "grammar"
              ? { type: "grammar", syntax: t.format.syntax, definition: t.format.definition }
              : { type: "text" };
      } else {
        def = { type: "function", name: t.name };
        if (t.description !== undefined) def.description = t.description;
        def.parameters = t.parameters ?? { type: "object", properties: {} };
        // Responses makes function tools strict unless told otherwise; tools written for another
        // dialect were never checked against strict-mode rules.
        def.strict = same ? (t.strict ?? null) : t.strict === true;
        if (def.strict === null) delete def.strict;
        if (t.extras?.dialect === D) Object.assign(def, t.extras.fields);
      }
      if (t.namespace) {
        let members = namespaces.get(t.namespace);
        if (!members) {
          members = [];
          namespaces.set(t.namespace, members);
          out.push({ type: "namespace", name: t.namespace, ...(t.namespaceInfo ?? {}), tools: members });
        }
        members.push(def);
      } else out.push(def);
    });
    return out;
  }

  private toolChoice(): Json | undefined {
    return encodeOpenAIToolChoice(this.req, this.warnings, {
      dialect: D,
      api: "Responses",
      tool: (name, kind) => ({ type: kind, name }),
      allowed: (mode, names) => ({
        type: "allowed_tools",
        mode,
        tools: names.map((name) => ({ type: "function", name })),
      }),
    });
  }
}

/** IR → OpenAI Responses request body. */
export function encodeResponsesRequest(
  req: Request,
  opts: ResponsesRequestOptions = {},
): Encoded<ResponsesRequestResult> {
  const writer = new ResponsesRequestWriter(req, opts);
  const body = writer.encode();
  return { value: { body, tools: new Map() }, warnings: writer.warnings.list };
}
