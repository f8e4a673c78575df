import { isObject } from "../../ir/input-error.js";
import { isPrototypeKey } from "../../ir/own-keys.js";
import type { Json, JsonObject } from "../../ir/types.js";
import type { Warnings } from "../../ir/warnings.js";

/**
 * An Anthropic Messages body → the Converse body that says the same. Converse was modelled on Messages:
 * blocks map one to one (text, image, document, toolUse, toolResult, reasoningContent with its signature),
 * `cache_control` becomes a `cachePoint` after its block, sampling goes to `inferenceConfig`. For Claude,
 * what Converse has no field for (thinking, output_config, top_k…) travels in
 * `additionalModelRequestFields`, which Bedrock hands to the model as it is; for other models it is
 * dropped, and every drop is reported. The model and streaming are in the URL.
 */

const CACHE_POINT: JsonObject = { cachePoint: { type: "default" } };
const IMAGE_FORMATS: Record<string, string> = {
  "image/png": "png",
  "image/jpeg": "jpeg",
  "image/jpg": "jpeg",
  "image/gif": "gif",
  "image/webp": "webp",
};
const DOCUMENT_FORMATS: Record<string, string> = {
  "application/pdf": "pdf",
  "text/plain": "txt",
  "text/csv": "csv",
  "text/html": "html",
  "text/markdown": "md",
};
/** Top-level Messages fields mapped here, or not sent on purpose (the model and `stream` are in the URL). */
const MAPPED = new Set([
  "model",
  "stream",
  "messages",
  "system",
  "max_tokens",
  "temperature",
  "top_p",
  "stop_sequences",
  "tools",
  "tool_choice",
]);

export function isClaude(model: string): boolean {
  return /claude/i.test(model);
}

class ConverseWriter {
  private readonly system: JsonObject[] = [];
  private readonly messages: JsonObject[] = [];
  /** Tool names used in the history, for a toolConfig Converse requires whenever tool blocks appear. */
  private readonly usedTools = new Set<string>();
  private documents = 0;

  constructor(
    private readonly model: string,
    private readonly warnings: Warnings,
  ) {}

  write(body: JsonObject): JsonObject {
    this.systemBlocks(body.system, "system");
    if (Array.isArray(body.messages))
      body.messages.forEach((m, i) => {
        this.message(m, `messages[${i}]`);
      });
    const out: JsonObject = { messages: this.messages };
    if (this.system.length > 0) out.system = this.system;
    const inference: JsonObject = {};
    if (typeof body.max_tokens === "number") inference.maxTokens = body.max_tokens;
    if (typeof body.temperature === "number") inference.temperature = body.temperature;
    if (typeof body.top_p === "number") inference.topP = body.top_p;
    if (Array.isArray(body.stop_sequences) && body.stop_sequences.length > 0)
      inference.stopSequences = body.stop_sequences;
    if (Object.keys(inference).length > 0) out.inferenceConfig = inference;
    const toolConfig = this.toolConfig(body.tools, body.tool_choice);
    if (toolConfig) out.toolConfig = toolConfig;
    const additional = this.additionalFields(body);
    if (additional) out.additionalModelRequestFields = additional;
    return out;
  }

  private drop(what: string, path: string): void {
    this.warnings.add("unsupported_content", `${what} has no Bedrock Converse equivalent and was dropped`, path);
  }

  private systemBlocks(value: Json | undefined, path: string): void {
    if (typeof value === "string") {
      if (value.trim()) this.system.push({ text: value });
      return;
    }
    if (!Array.isArray(value)) return;
    value.forEach((b, i) => {
      if (!isObject(b)) return;
      if (b.type === "text" && typeof b.text === "string") {
        if (b.text.trim()) this.system.push({ text: b.text });
        if (b.cache_control != null) this.system.push(CACHE_POINT);
      } else this.drop(`a ${String(b.type)} system block`, `${path}[${i}]`);
    });
  }

  private message(m: Json, path: string): void {
    if (!isObject(m)) return;
    if (m.role === "system") {
      this.warnings.add("system_moved", `the system message at ${path} moved into the system prompt`, path);
      this.systemBlocks(m.content, `${path}.content`);
      return;
    }
    if (m.role !== "user" && m.role !== "assistant") return;
    const blocks = typeof m.content === "string" ? [{ type: "text", text: m.content }] : m.content;
    const content: JsonObject[] = [];
    if (Array.isArray(blocks))
      blocks.forEach((b, i) => {
        if (isObject(b)) this.block(b, content, `${path}.content[${i}]`);
      });
    if (content.length === 0) return;
    const last = this.messages[this.messages.length - 1];
    if (last?.role === m.role && Array.isArray(last.content)) last.content.push(...content);
    else this.messages.push({ role: m.role, content });
  }

  private block(b: JsonObject, out: JsonObject[], path: string): void {
    const mapped = this.mapBlock(b, path);
    if (!mapped) return;
    out.push(mapped);
    if (b.cache_control != null) out.push(CACHE_POINT);
  }

  private mapBlock(b: JsonObject, path: string): JsonObject | undefined {
    switch (b.type) {
      case "text":
        return typeof b.text === "string" && b.text.length > 0 ? { text: b.text } : undefined;
      case "image":
        return this.image(b, path);
      case "document":
        return this.document(b, path);
      case "tool_use": {
        const name = String(b.name ?? "");
        this.usedTools.add(name);
        return { toolUse: { toolUseId: String(b.id ?? ""), name, input: isObject(b.input) ? b.input : {} } };
      }
      case "tool_result":
        return this.toolResult(b, path);
      case "thinking": {
        const text: JsonObject = { text: typeof b.thinking === "string" ? b.thinking : "" };
        if (typeof b.signature === "string" && b.signature) text.signature = b.signature;
        return { reasoningContent: { reasoningText: text } };
      }
      case "redacted_thinking":
        return { reasoningContent: { redactedContent: String(b.data ?? "") } };
      default:
        this.drop(`a ${String(b.type)} block`, path);
        return undefined;
    }
  }

  private image(b: JsonObject, path: string): JsonObject | undefined {
    const src = isObject(b.source) ? b.source : {};
    const format = IMAGE_FORMATS[String(src.media_type ?? "").toLowerCase()];
    if (src.type === "base64" && format) return { image: { format, source: { bytes: String(src.data ?? "") } } };
    this.warnings.add(
      "unsupported_content",
      src.type === "base64"
        ? `image type ${String(src.media_type)} is not one Bedrock Converse takes (png, jpeg, gif, webp); it was dropped`
        : "Bedrock Converse takes images as bytes, not by URL or file id; the image was dropped",
      path,
    );
    return undefined;
  }

  private document(b: JsonObject, path: string): JsonObject | undefined {
    const src = isObject(b.source) ? b.source : {};
    const title = typeof b.title === "string" ? b.title : "";
    // Converse document names: letters, digits, single spaces, hyphens, parentheses, brackets.
    const clean = title
      .replace(/[^A-Za-z0-9\s\-()[\]]/g, " ")
      .replace(/\s+/g, " ")
      .trim();
    const name = clean || `document-${++this.documents}`;
    if (src.type === "text" && typeof src.data === "string")
      return { document: { format: "txt", name, source: { bytes: Buffer.from(src.data).toString("base64") } } };
    const format = DOCUMENT_FORMATS[String(src.media_type ?? "").toLowerCase()];
    if (src.type === "base64" && format) return { document: { format, name, source: { bytes: String(src.data) } } };
    this.drop(`a document (${String(src.type)} ${String(src.media_type ?? "")})`, path);
    return undefined;
  }

  private toolResult(b: JsonObject, path: string): JsonObject {
    const content: JsonObject[] = [];
    if (typeof b.content === "string") content.push({ text: b.content });
    else if (Array.isArray(b.content))
      b.content.forEach((c, i) => {
        if (!isObject(c)) return;
        const mapped = c.type === "text" || c.type === "image" ? this.mapBlock(c, `${path}.content[${i}]`) : undefined;
        if (mapped) content.push(mapped);
        else if (c.type !== "text") this.drop(`a ${String(c.type)} block in a tool result`, `${path}.content[${i}]`);
      });
    if (content.length === 0) content.push({ text: "" });
    const result: JsonObject = { toolUseId: String(b.tool_use_id ?? ""), content };
    if (b.is_error === true) result.status = "error";
    return { toolResult: result };
  }

  private toolConfig(tools: Json | undefined, choice: Json | undefined): JsonObject | undefined {
    const specs: JsonObject[] = [];
    const declared = new Set<string>();
    if (Array.isArray(tools))
      tools.forEach((t, i) => {
        if (!isObject(t)) return;
        if (t.type !== undefined && t.type !== "custom") {
          this.drop(`the built-in tool '${String(t.type)}'`, `tools[${i}]`);
          return;
        }
        const spec: JsonObject = { name: String(t.name ?? ""), inputSchema: { json: t.input_schema ?? {} } };
        if (typeof t.description === "string" && t.description) spec.description = t.description;
        declared.add(String(t.name ?? ""));
        specs.push({ toolSpec: spec });
        if (t.cache_control != null) specs.push(CACHE_POINT);
      });
    // Converse refuses tool blocks in the history without a toolConfig: tools no longer declared are
    // declared again, by name, taking any object.
    for (const name of this.usedTools)
      if (!declared.has(name))
        specs.push({ toolSpec: { name, inputSchema: { json: { type: "object", properties: {} } } } });
    if (specs.length === 0) return undefined;
    const out: JsonObject = { tools: specs };
    if (isObject(choice)) {
      if (choice.type === "auto") out.toolChoice = { auto: {} };
      else if (choice.type === "any") out.toolChoice = { any: {} };
      else if (choice.type === "tool") out.toolChoice = { tool: { name: String(choice.name ?? "") } };
      else if (choice.type === "none") this.drop("tool_choice none", "tool_choice");
      if (choice.disable_parallel_tool_use === true) this.drop("disable_parallel_tool_use", "tool_choice");
    }
    return out;
  }

  private additionalFields(body: JsonObject): JsonObject | undefined {
    const out: JsonObject = {};
    for (const [key, value] of Object.entries(body)) {
      if (MAPPED.has(key) || value === undefined || isPrototypeKey(key)) continue;
      if (key === "metadata" || key === "service_tier") this.drop(key, key);
      else if (isClaude(this.model)) out[key] = value;
      else this.drop(key === "thinking" ? "thinking (reasoning settings for this model)" : key, key);
    }
    return Object.keys(out).length > 0 ? out : undefined;
  }
}

/** An Anthropic Messages body (as llmux writes it for `model`) → a Converse request body. */
export function anthropicToConverse(body: JsonObject, model: string, warnings: Warnings): JsonObject {
  return new ConverseWriter(model, warnings).write(body);
}
