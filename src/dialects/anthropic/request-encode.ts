import { sanitizeAnthropicToolId } from "../../ir/ids.js";
import type { JsonObject, Request, TextPart } from "../../ir/types.js";
import { Warnings } from "../../ir/warnings.js";
import { claudeFacts } from "../../models/claude.js";
import { applyOwnExtras } from "../extras.js";
import { flatToolName, isAccountedFor } from "../tool-identity.js";
import type { Encoded, ToolMapping } from "../types.js";
import { type CacheOptions, cachesByBreakpoints, placeCacheBreakpoints } from "./cache-breakpoints.js";
import { encodeAssistantPart, encodeMedia, encodeText, encodeToolResultContent } from "./content.js";
import { applySampling, thinkingConfig } from "./thinking.js";
import { encodeAnthropicToolChoice, encodeAnthropicTools } from "./tools.js";

const D = "anthropic" as const;

export interface AnthropicRequestOptions {
  /** max_tokens when the request carries none. Default: the model's output limit. */
  defaultMaxTokens?: number;
  /** Thinking forms the upstream model accepts. Default: from the Claude model table. */
  thinkingForms?: readonly ("enabled" | "adaptive")[];
  /** Whether a trailing assistant message is accepted. Default: from the Claude model table. */
  allowPrefill?: boolean;
  /**
   * Prompt-cache breakpoints on a request translated from another dialect (cache-breakpoints.ts); an
   * Anthropic client's own body keeps its own markers. Default: none.
   */
  cache?: CacheOptions | undefined;
}

export interface AnthropicRequestResult {
  body: JsonObject;
  tools: ToolMapping;
}

interface Draft {
  role: "user" | "assistant" | "system";
  content: JsonObject[];
}

class AnthropicRequestWriter {
  readonly warnings = new Warnings();
  readonly tools: ToolMapping = new Map();
  private readonly system: JsonObject[] = [];
  private readonly out: Draft[] = [];
  private droppedReasoning = 0;

  constructor(
    private readonly req: Request,
    private readonly opts: AnthropicRequestOptions,
  ) {}

  encode(): JsonObject {
    const { req } = this;
    const facts = claudeFacts(req.model);
    for (const p of req.instructions ?? []) if (p.text.trim()) this.system.push(encodeText(p));
    this.messages();
    if (this.droppedReasoning > 0) {
      this.warnings.add(
        "reasoning_dropped",
        `${this.droppedReasoning} reasoning part(s) without an Anthropic signature were not sent (opaque reasoning cannot cross providers)`,
      );
    }

    const body: JsonObject = { model: req.model };
    const explicitMax = req.maxOutputTokens !== undefined;
    let maxTokens = req.maxOutputTokens ?? this.opts.defaultMaxTokens ?? facts.maxOutputTokens;
    body.max_tokens = maxTokens;

    const forms = this.opts.thinkingForms ?? facts.thinking;
    const thinking = thinkingConfig(req, forms, maxTokens, explicitMax, this.warnings);
    if (thinking.value && thinking.value.type !== "disabled" && this.openLoopLacksThinking()) {
      this.warnings.add(
        "thinking_disabled",
        "thinking was turned off for this turn: the open tool loop's assistant message carries no thinking block (the client did not send it back)",
        "thinking",
      );
      delete thinking.value;
      delete thinking.effort;
    }
    if (thinking.bumpMax !== undefined) {
      maxTokens = thinking.bumpMax;
      body.max_tokens = maxTokens;
    }
    if (thinking.value) body.thinking = thinking.value;
    const thinkingOn = thinking.value !== undefined && thinking.value.type !== "disabled";
    const outputConfig: JsonObject = {};
    if (thinking.effort) outputConfig.effort = thinking.effort;

    this.prefill(thinkingOn, this.opts.allowPrefill ?? facts.prefill);

    if (req.stop?.length) body.stop_sequences = req.stop;
    applySampling(req, body, thinkingOn, facts.fixedSampling, this.warnings);
    if (req.tools?.length) {
      const tools = encodeAnthropicTools(req, req.tools, this.warnings, this.tools);
      if (tools.length > 0) body.tools = tools;
    }
    const choice = encodeAnthropicToolChoice(req, thinkingOn, this.warnings);
    if (choice) body.tool_choice = choice;

    if (req.user !== undefined) body.metadata = { user_id: req.user };
    if (req.metadata && req.source === D) body.metadata = { ...(body.metadata as JsonObject), ...req.metadata };
    else if (req.metadata) this.warnings.dropped(req.metadata, "Anthropic metadata (only user_id)", "metadata.");
    if (req.serviceTier !== undefined) {
      if (req.source === D || req.serviceTier === "auto") body.service_tier = req.serviceTier;
      else this.warnings.add("dropped_field", "service_tier has no Anthropic equivalent", "service_tier");
    }
    this.responseFormat(outputConfig);
    if (Object.keys(outputConfig).length > 0) body.output_config = outputConfig;
    // Messages and system last: prefill removal and format emulation above may change them.
    body.messages = this.out.map((m) => ({ role: m.role, content: m.content }));
    if (this.system.length > 0) {
      const plain = this.system.length === 1 && Object.keys(this.system[0]!).length === 2;
      body.system = plain ? (this.system[0]!.text as string) : this.system;
    }
    body.stream = req.stream;
    this.crossDialectFields();

    applyOwnExtras(body, req.extras, D, this.warnings, "Anthropic Messages");
    return body;
  }

  // -------------------------------------------------------------------------------------------------------

  private messages(): void {
    const { req } = this;
    let seenTurn = false;
    req.messages.forEach((m, i) => {
      const path = `messages[${i}]`;
      switch (m.role) {
        case "system":
        case "developer": {
          const blocks = m.content.filter((p): p is TextPart => p.type === "text" && p.text.trim().length > 0);
          if (blocks.length === 0) return;
          if (seenTurn && req.source === D && m.role === "system") {
            this.push("system", blocks.map(encodeText));
          } else {
            if (seenTurn) {
              this.warnings.add(
                "system_moved",
                `${m.role} message at ${path} moved into the top-level system prompt`,
                path,
              );
            }
            for (const b of blocks) this.system.push(encodeText(b));
          }
          return;
        }
        case "user": {
          const blocks: JsonObject[] = [];
          m.content.forEach((p, j) => {
            const pp = `${path}.content[${j}]`;
            if (p.type === "text") {
              if (p.text.trim().length > 0) blocks.push(encodeText(p));
            } else if (p.type === "image" || p.type === "file") {
              const b = encodeMedia(p, this.warnings, pp, req.source);
              if (b) blocks.push(b);
            } else if (p.type === "raw" && p.dialect === D) blocks.push(p.value);
            else this.dropped(p.type, pp);
          });
          if (blocks.length > 0) seenTurn = true;
          this.push("user", blocks);
          return;
        }
        case "tool": {
          const blocks: JsonObject[] = [];
          m.content.forEach((p, j) => {
            if (p.type !== "tool_result") return;
            const block: JsonObject = {
              type: "tool_result",
              tool_use_id: sanitizeAnthropicToolId(p.callId),
              content: encodeToolResultContent(p.content, this.warnings, `${path}.content[${j}].content`),
            };
            if (p.isError) block.is_error = true;
            if (p.cacheControl != null) block.cache_control = p.cacheControl;
            if (p.extras?.dialect === D) Object.assign(block, p.extras.fields);
            blocks.push(block);
          });
          if (blocks.length > 0) seenTurn = true;
          this.push("user", blocks, true);
          return;
        }
        case "assistant": {
          const blocks: JsonObject[] = [];
          m.content.forEach((p, j) => {
            const pp = `${path}.content[${j}]`;
            if (p.type === "text" && p.text.trim().length === 0) return;
            if (p.type === "reasoning" && p.signature === undefined && p.redacted === undefined) {
              this.droppedReasoning++;
              return;
            }
            if (p.type === "tool_call") {
              const block = encodeAssistantPart(
                { ...p, id: sanitizeAnthropicToolId(p.id), name: flatToolName(p.namespace, p.name) },
                { warnings: this.warnings, path: pp },
              );
              if (block) blocks.push(block);
              return;
            }
            if (p.type === "raw" && isAccountedFor(p)) return;
            const block =
              p.type === "text" || p.type === "refusal" || p.type === "reasoning" || p.type === "raw"
                ? encodeAssistantPart(p, { warnings: this.warnings, path: pp })
                : undefined;
            if (block) blocks.push(block);
            else this.dropped(p.type, pp);
          });
          if (blocks.length > 0) seenTurn = true;
          this.push("assistant", blocks);
          return;
        }
      }
    });
  }

  /** Warns that a part of a message was dropped. */
  private dropped(type: string, path: string): void {
    this.warnings.add("unsupported_content", `${type} content has no Anthropic equivalent and was dropped`, path);
  }

  /** Appends a turn, merging it into the previous one when the role repeats (tool results go first). */
  private push(role: Draft["role"], blocks: JsonObject[], results = false): void {
    if (blocks.length === 0) return;
    const last = this.out[this.out.length - 1];
    if (last && last.role === role && role !== "system") {
      if (results) {
        const firstOther = last.content.findIndex((b) => b.type !== "tool_result");
        if (firstOther === -1) last.content.push(...blocks);
        else last.content.splice(firstOther, 0, ...blocks);
      } else last.content.push(...blocks);
      return;
    }
    this.out.push({ role, content: blocks });
  }

  /** Anthropic requires the assistant turn of the open tool loop to start with thinking when it is on. */
  private openLoopLacksThinking(): boolean {
    const n = this.out.length;
    const last = this.out[n - 1];
    if (last?.role !== "user" || last.content[0]?.type !== "tool_result") return false;
    const assistant = this.out[n - 2];
    if (assistant?.role !== "assistant") return false;
    const first = assistant.content[0]?.type;
    return first !== "thinking" && first !== "redacted_thinking";
  }

  private prefill(thinkingOn: boolean, allowed: boolean): void {
    const last = this.out[this.out.length - 1];
    if (last?.role !== "assistant") return;
    const hasToolUse = last.content.some((b) => b.type === "tool_use");
    if (hasToolUse) return; // an open tool loop, not a prefill
    if (!allowed || thinkingOn) {
      this.out.pop();
      this.warnings.add(
        "prefill_dropped",
        thinkingOn
          ? "a trailing assistant message (prefill) cannot be combined with thinking and was dropped"
          : `${this.req.model} does not accept a trailing assistant message (prefill); it was dropped`,
        `messages[${this.req.messages.length - 1}]`,
      );
      return;
    }
    const tail = last.content[last.content.length - 1];
    if (tail?.type === "text" && typeof tail.text === "string") tail.text = tail.text.trimEnd();
  }

  private responseFormat(outputConfig: JsonObject): void {
    const rf = this.req.responseFormat;
    if (!rf || rf.type === "text") return;
    if (rf.type === "json_schema") {
      outputConfig.format = { type: "json_schema", schema: rf.schema ?? {} };
      return;
    }
    this.system.push({ type: "text", text: "Respond with a single valid JSON object and nothing else." });
    this.warnings.add(
      "json_object_emulated",
      "response_format json_object is emulated with a system instruction on Anthropic",
      "response_format",
    );
  }

  private crossDialectFields(): void {
    const { req } = this;
    const w = this.warnings;
    if (req.source === D) return;
    if (req.seed !== undefined) w.add("dropped_field", "seed has no Anthropic equivalent and was dropped", "seed");
    if (req.verbosity !== undefined)
      w.add("dropped_field", "verbosity has no Anthropic equivalent and was dropped", "verbosity");
    if (req.truncation !== undefined && req.truncation !== "disabled") {
      w.add("dropped_field", "truncation has no Anthropic equivalent and was dropped", "truncation");
    }
    if (req.previousResponseId !== undefined) {
      w.add(
        "dropped_field",
        "previous_response_id cannot be sent to Anthropic; history must be resolved first",
        "previous_response_id",
      );
    }
    if (req.promptCacheKey !== undefined && !(this.opts.cache && cachesByBreakpoints(req.model))) {
      w.add(
        "dropped_field",
        "prompt_cache_key has no Anthropic equivalent (caching uses cache_control)",
        "prompt_cache_key",
      );
    }
    for (const inc of req.include ?? []) {
      if (inc !== "reasoning.encrypted_content")
        w.add("dropped_field", `include '${inc}' has no Anthropic equivalent`, "include");
    }
    if (req.reasoning?.summary !== undefined && req.reasoning.summary !== null && req.reasoning.summary !== "auto") {
      w.add(
        "dropped_field",
        "reasoning.summary has no Anthropic equivalent (thinking is always summarised)",
        "reasoning.summary",
      );
    }
  }
}

/** IR → Anthropic Messages request body. */
export function encodeAnthropicRequest(
  req: Request,
  opts: AnthropicRequestOptions = {},
): Encoded<AnthropicRequestResult> {
  const writer = new AnthropicRequestWriter(req, opts);
  const body = writer.encode();
  if (opts.cache && req.source !== D && cachesByBreakpoints(req.model)) placeCacheBreakpoints(body, opts.cache);
  return { value: { body, tools: writer.tools }, warnings: writer.warnings.list };
}
