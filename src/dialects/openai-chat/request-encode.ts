import { budgetToEffort } from "../../ir/effort.js";
import { fileIdUsable, sourceToUrl } from "../../ir/media.js";
import type {
  Effort,
  FilePart,
  ImagePart,
  Json,
  JsonObject,
  Message,
  Request,
  TextPart,
  ToolResultContent,
  UserPart,
} from "../../ir/types.js";
import { Warnings } from "../../ir/warnings.js";
import { applyOwnExtras } from "../extras.js";
import { isAccountedFor } from "../tool-identity.js";
import type { Encoded, ToolMapping } from "../types.js";
import { chatToolMapping, encodeChatToolCall, encodeChatToolChoice, encodeChatTools } from "./tools-encode.js";

const D = "openai-chat" as const;

export interface ChatRequestOptions {
  /** Which field carries the output limit. Default `max_completion_tokens`. */
  maxTokensField?: "max_tokens" | "max_completion_tokens";
  /** Echo earlier reasoning in assistant turns under this field (DeepSeek, Kimi, MiniMax need it). */
  /**
   * Where earlier reasoning is echoed: a fixed field (DeepSeek and Kimi require reasoning_content), or
   * `auto`: the field each reasoning part came in from the upstream, and only when it came with one.
   */
  reasoningField?: "reasoning_content" | "reasoning" | "auto";
  /** Whether the upstream understands `custom` (free-form) tools. Default true. */
  customTools?: boolean;
  /** Whether the upstream accepts `top_k` (vLLM, Ollama…). Default false. */
  topK?: boolean;
}

export interface ChatRequestResult {
  body: JsonObject;
  tools: ToolMapping;
}

function joinText(parts: { type: string; text?: string }[]): string {
  return parts
    .filter((p) => p.type === "text")
    .map((p) => p.text ?? "")
    .join("\n\n");
}

class ChatRequestWriter {
  readonly warnings = new Warnings();
  readonly tools: ToolMapping = new Map();
  private droppedReasoning = 0;
  private readonly customTools: boolean;

  constructor(
    private readonly req: Request,
    private readonly opts: ChatRequestOptions,
  ) {
    this.customTools = opts.customTools !== false;
  }

  encode(): JsonObject {
    const { req, opts } = this;
    const body: JsonObject = { model: req.model };
    if (req.tools?.length) chatToolMapping(req.tools, this.customTools, this.tools);
    const messages: JsonObject[] = [];
    const instructions = joinText(req.instructions ?? []);
    if (instructions) messages.push({ role: "system", content: instructions });
    req.messages.forEach((m, i) => {
      this.message(m, `messages[${i}]`, messages);
    });
    body.messages = messages;
    if (this.droppedReasoning > 0) {
      this.warnings.add(
        "reasoning_dropped",
        `${this.droppedReasoning} reasoning part(s) carry opaque state (signature or encrypted content) that Chat Completions cannot send; it was dropped`,
      );
    }

    if (req.stream) {
      body.stream = true;
      body.stream_options = { include_usage: true };
    } else if (req.source === D) body.stream = false;
    if (req.maxOutputTokens !== undefined) body[opts.maxTokensField ?? "max_completion_tokens"] = req.maxOutputTokens;
    if (req.temperature !== undefined) body.temperature = req.temperature;
    if (req.topP !== undefined) body.top_p = req.topP;
    if (req.topK !== undefined) {
      if (opts.topK) body.top_k = req.topK;
      else this.warnings.add("dropped_field", "top_k has no Chat Completions equivalent and was dropped", "top_k");
    }
    if (req.stop?.length) {
      if (req.stop.length > 4) {
        this.warnings.add(
          "dropped_field",
          `Chat Completions accepts at most 4 stop sequences; ${req.stop.length - 4} were dropped`,
          "stop",
        );
      }
      body.stop = req.stop.slice(0, 4);
    }
    if (req.seed !== undefined) body.seed = req.seed;
    if (req.tools?.length) {
      const tools = encodeChatTools(req.tools, this.customTools, this.warnings);
      if (tools.length > 0) body.tools = tools;
    }
    const choice = encodeChatToolChoice(req, this.customTools, this.warnings);
    if (choice !== undefined) body.tool_choice = choice;
    if (req.parallelToolCalls !== undefined && body.tools) body.parallel_tool_calls = req.parallelToolCalls;

    const effort = this.effort();
    if (effort) body.reasoning_effort = effort;
    if (req.verbosity !== undefined) body.verbosity = req.verbosity;
    const rf = req.responseFormat;
    if (rf) {
      if (rf.type === "json_schema") {
        const js: JsonObject = { name: rf.name ?? "response" };
        if (rf.schema !== undefined) js.schema = rf.schema;
        if (rf.strict !== undefined) js.strict = rf.strict;
        if (rf.description !== undefined) js.description = rf.description;
        body.response_format = { type: "json_schema", json_schema: js };
      } else body.response_format = { type: rf.type };
    }
    if (req.user !== undefined) body.user = req.user;
    if (req.metadata) body.metadata = this.metadata(req.metadata);
    if (req.promptCacheKey !== undefined) body.prompt_cache_key = req.promptCacheKey;
    if (req.serviceTier !== undefined) body.service_tier = req.serviceTier;
    if (req.store !== undefined && req.source === D) body.store = req.store;
    this.crossDialectFields();
    applyOwnExtras(body, req.extras, D, this.warnings, "Chat Completions");
    return body;
  }

  private metadata(meta: JsonObject): JsonObject {
    const out: JsonObject = {};
    for (const [k, v] of Object.entries(meta)) out[k] = typeof v === "string" ? v : JSON.stringify(v);
    return out;
  }

  private effort(): Effort | undefined {
    const r = this.req.reasoning;
    if (!r) return undefined;
    if (r.effort) return r.effort;
    if (r.mode === "enabled" && r.budgetTokens !== undefined) return budgetToEffort(r.budgetTokens);
    return undefined;
  }

  /** A file or image given by another provider's file id, which this upstream cannot read: dropped, said so. */
  private foreignFileId(p: ImagePart | FilePart, path: string): boolean {
    if (p.source.kind !== "file_id" || fileIdUsable(this.req.source, D)) return false;
    this.warnings.add(
      "unsupported_content",
      `a file id from another provider cannot be used here; the ${p.type} was dropped`,
      path,
    );
    return true;
  }

  private userContent(parts: UserPart[], path: string): Json {
    const first = parts[0];
    if (parts.length === 1 && first?.type === "text" && !first.extras) return first.text;
    const out: JsonObject[] = [];
    parts.forEach((p, i) => {
      const pp = `${path}[${i}]`;
      switch (p.type) {
        case "text":
          out.push(
            p.extras?.dialect === D
              ? { ...p.extras.fields, type: "text", text: p.text }
              : { type: "text", text: p.text },
          );
          break;
        case "image": {
          if (this.foreignFileId(p, pp)) break;
          const url = sourceToUrl(p.source);
          if (!url) {
            this.warnings.add(
              "unsupported_content",
              "an image given by file id cannot be sent to Chat Completions",
              pp,
            );
            break;
          }
          const image: JsonObject = { url };
          if (p.detail) image.detail = p.detail;
          out.push({ type: "image_url", image_url: image });
          break;
        }
        case "file": {
          if (this.foreignFileId(p, pp)) break;
          const file: JsonObject = {};
          if (p.source.kind === "file_id") file.file_id = p.source.fileId;
          else if (p.source.kind === "url") {
            this.warnings.add("unsupported_content", "a file given by URL cannot be sent to Chat Completions", pp);
            break;
          } else file.file_data = sourceToUrl(p.source) ?? "";
          if (p.filename) file.filename = p.filename;
          out.push({ type: "file", file });
          break;
        }
        case "audio":
          out.push({ type: "input_audio", input_audio: { data: p.data, format: p.format } });
          break;
        case "raw":
          if (p.dialect === D) out.push(p.value);
          else this.warnings.add("unsupported_content", "content with no Chat Completions equivalent was dropped", pp);
          break;
      }
    });
    return out;
  }

  private message(m: Message, path: string, out: JsonObject[]): void {
    const own = m.extras?.dialect === D ? m.extras.fields : undefined;
    switch (m.role) {
      case "system":
      case "developer": {
        const parts = m.content as TextPart[];
        const content: Json =
          this.req.source === D && parts.length > 1
            ? parts.map((p) => ({ type: "text", text: p.text }))
            : joinText(parts);
        const msg: JsonObject = { role: m.role, content };
        if (m.name) msg.name = m.name;
        out.push(own ? { ...own, ...msg } : msg);
        return;
      }
      case "user": {
        const msg: JsonObject = { role: "user", content: this.userContent(m.content as UserPart[], `${path}.content`) };
        if (m.name) msg.name = m.name;
        out.push(own ? { ...own, ...msg } : msg);
        return;
      }
      case "assistant": {
        const msg: JsonObject = { role: "assistant" };
        let text = "";
        let reasoning: string | undefined;
        let cameIn: "reasoning_content" | "reasoning" | undefined;
        let details: Json | undefined;
        const calls: JsonObject[] = [];
        for (const p of m.content) {
          if (p.type === "text") text += p.text;
          else if (p.type === "refusal") msg.refusal = p.text;
          else if (p.type === "reasoning") {
            reasoning = (reasoning ?? "") + p.text;
            cameIn ??= p.field;
            const echoed = p.extras?.dialect === D ? p.extras.fields.reasoning_details : undefined;
            if (echoed !== undefined) details = echoed;
            else if (p.signature !== undefined || p.encrypted !== undefined || p.redacted !== undefined)
              this.droppedReasoning++;
          } else if (p.type === "tool_call") calls.push(encodeChatToolCall(p, this.customTools));
          else if (p.type === "raw" && p.dialect !== D && !isAccountedFor(p)) {
            this.warnings.add(
              "unsupported_content",
              "assistant content with no Chat Completions equivalent was dropped",
              path,
            );
          }
        }
        const field = this.opts.reasoningField === "auto" ? cameIn : this.opts.reasoningField;
        const echoReasoning =
          field !== undefined &&
          (this.opts.reasoningField === "auto" ? reasoning !== undefined : reasoning !== undefined || calls.length > 0);
        // A turn with nothing Chat can express (only another dialect's built-in items) is left out.
        if (!text && calls.length === 0 && msg.refusal === undefined && details === undefined && !echoReasoning && !own)
          return;
        msg.content = text.length > 0 ? text : calls.length > 0 ? null : "";
        if (calls.length > 0) msg.tool_calls = calls;
        if (echoReasoning) msg[field!] = reasoning ?? "";
        // OpenRouter-style reasoning_details carry signatures and must come back verbatim.
        if (details !== undefined) msg.reasoning_details = details;
        if (m.name) msg.name = m.name;
        out.push(own ? { ...own, ...msg } : msg);
        return;
      }
      case "tool": {
        const moved: UserPart[] = [];
        for (const p of m.content) {
          if (p.type !== "tool_result") continue;
          const { text, media } = this.resultContent(p.content);
          let content = text;
          if (p.isError) {
            content = `[error] ${text}`;
            this.warnings.add(
              "is_error_lossy",
              "Chat Completions has no is_error flag; error results are prefixed with [error]",
              path,
            );
          }
          out.push({ role: "tool", tool_call_id: p.callId, content });
          moved.push(...media);
        }
        // Every tool message must come before any other message: images follow in one user message.
        if (moved.length > 0) {
          this.warnings.add(
            "tool_result_media_moved",
            "images in tool results were moved to a following user message (Chat tool messages carry text only)",
            path,
          );
          out.push({ role: "user", content: this.userContent(moved, `${path}.content`) });
        }
        return;
      }
    }
  }

  private resultContent(content: ToolResultContent[]): { text: string; media: UserPart[] } {
    let text = "";
    const media: UserPart[] = [];
    for (const c of content) {
      if (c.type === "text") text += c.text;
      else media.push(c);
    }
    return { text, media };
  }

  private crossDialectFields(): void {
    const { req } = this;
    if (req.source === D) return;
    const w = this.warnings;
    if (req.previousResponseId !== undefined) {
      w.add(
        "dropped_field",
        "previous_response_id cannot be sent to Chat Completions; history must be resolved first",
        "previous_response_id",
      );
    }
    if (req.truncation !== undefined && req.truncation !== "disabled") {
      w.add("dropped_field", "truncation has no Chat Completions equivalent and was dropped", "truncation");
    }
    for (const inc of req.include ?? []) {
      if (inc !== "reasoning.encrypted_content")
        w.add("dropped_field", `include '${inc}' has no Chat Completions equivalent`, "include");
    }
    const s = req.reasoning?.summary;
    if (s !== undefined && s !== null && s !== "auto" && s !== "none") {
      w.add("dropped_field", "reasoning.summary has no Chat Completions equivalent", "reasoning.summary");
    }
    if (req.reasoning?.mode === "adaptive" && !req.reasoning.effort) {
      w.add(
        "reasoning_default",
        "adaptive thinking has no Chat Completions form; the model's default reasoning applies",
        "thinking",
      );
    }
  }
}

/** IR → OpenAI Chat Completions request body. */
export function encodeChatRequest(req: Request, opts: ChatRequestOptions = {}): Encoded<ChatRequestResult> {
  const writer = new ChatRequestWriter(req, opts);
  const body = writer.encode();
  return { value: { body, tools: writer.tools }, warnings: writer.warnings.list };
}
