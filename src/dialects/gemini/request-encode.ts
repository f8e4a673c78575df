import { effortToBudget } from "../../ir/effort.js";
import { isObject } from "../../ir/input-error.js";
import type { Effort, FilePart, ImagePart, Json, JsonObject, Message, Request, Tool } from "../../ir/types.js";
import { Warnings } from "../../ir/warnings.js";
import { emulateCustomTool } from "../custom-tools.js";
import { applyOwnExtras } from "../extras.js";
import { flatToolName } from "../tool-identity.js";
import type { Encoded, ToolMapping } from "../types.js";
import { SignedParts } from "./output-parts.js";
import { D } from "./parts.js";
import { isEmptyObjectSchema, toGeminiSchema } from "./schema.js";

export interface GeminiRequestOptions {
  /** Gemini 3 rejects a replayed function call without its thought signature; this stands in for a lost one. */
  placeholderSignature?: string;
}

/** Google's documented stand-in for a thought signature the history no longer has (Gemini 3). */
export const SKIP_SIGNATURE = "skip_thought_signature_validator";

const isGemini3 = (model: string) => /gemini-3/i.test(model);

interface Content {
  role: "user" | "model";
  parts: JsonObject[];
}

function guessMime(url: string, fallback: string): string {
  const ext = /\.([a-z0-9]+)(?:[?#]|$)/i.exec(url)?.[1]?.toLowerCase();
  const known: Record<string, string> = {
    png: "image/png",
    jpg: "image/jpeg",
    jpeg: "image/jpeg",
    gif: "image/gif",
    webp: "image/webp",
    pdf: "application/pdf",
    txt: "text/plain",
  };
  return (ext && known[ext]) || fallback;
}

class GeminiRequestWriter {
  readonly warnings = new Warnings();
  readonly tools: ToolMapping = new Map();
  private readonly system: JsonObject[] = [];
  private readonly contents: Content[] = [];
  /** Call id → function name, for the functionResponse that answers it. */
  private readonly callNames = new Map<string, string>();

  constructor(
    private readonly req: Request,
    private readonly opts: GeminiRequestOptions,
  ) {}

  encode(): JsonObject {
    const { req } = this;
    for (const p of req.instructions ?? []) if (p.text.trim()) this.system.push({ text: p.text });
    req.messages.forEach((m, i) => {
      this.message(m, `messages[${i}]`);
    });
    const body: JsonObject = { contents: this.contents.map((c) => ({ role: c.role, parts: c.parts })) };
    if (this.system.length > 0) body.systemInstruction = { parts: this.system };
    const tools = this.encodeTools();
    if (tools.length > 0) body.tools = tools;
    const choice = this.toolConfig();
    if (choice) body.toolConfig = choice;
    const gen = this.generationConfig();
    if (Object.keys(gen).length > 0) body.generationConfig = gen;
    this.crossDialectFields();
    applyOwnExtras(body, req.extras, D, this.warnings, "Gemini");
    return body;
  }

  private push(role: Content["role"], parts: JsonObject[]): void {
    if (parts.length === 0) return;
    const last = this.contents[this.contents.length - 1];
    if (last?.role === role) last.parts.push(...parts);
    else this.contents.push({ role, parts });
  }

  private media(p: ImagePart | FilePart, path: string): JsonObject | undefined {
    const s = p.source;
    const fallback = p.type === "image" ? "image/jpeg" : "application/octet-stream";
    switch (s.kind) {
      case "base64":
        return { inlineData: { mimeType: s.mediaType, data: s.data } };
      case "text":
        return { text: s.data };
      case "url":
        return { fileData: { mimeType: guessMime(s.url, fallback), fileUri: s.url } };
      case "file_id":
        if (/^https:\/\/generativelanguage\.googleapis\.com\/|^files\//.test(s.fileId))
          return { fileData: { mimeType: fallback, fileUri: s.fileId } };
        this.warnings.add("unsupported_content", `file id '${s.fileId}' means nothing to Gemini and was dropped`, path);
        return undefined;
    }
  }

  private message(m: Message, path: string): void {
    switch (m.role) {
      case "system":
      case "developer":
        for (const p of m.content) if (p.type === "text" && p.text.trim()) this.system.push({ text: p.text });
        return;
      case "user": {
        const parts: JsonObject[] = [];
        m.content.forEach((p, j) => {
          const pp = `${path}.content[${j}]`;
          if (p.type === "text") {
            if (p.text.length > 0) parts.push({ text: p.text });
          } else if (p.type === "image" || p.type === "file") {
            const part = this.media(p, pp);
            if (part) parts.push(part);
          } else if (p.type === "audio") parts.push({ inlineData: { mimeType: `audio/${p.format}`, data: p.data } });
          else if (p.type === "raw" && p.dialect === D) parts.push(p.value);
          else
            this.warnings.add("unsupported_content", `${p.type} content has no Gemini equivalent and was dropped`, pp);
        });
        this.push("user", parts);
        return;
      }
      case "tool": {
        const parts: JsonObject[] = [];
        const extra: JsonObject[] = [];
        for (const p of m.content) {
          if (p.type !== "tool_result") continue;
          const text = p.content.map((c) => (c.type === "text" ? c.text : "")).join("");
          const name = this.callNames.get(p.callId) ?? p.callId;
          parts.push({ functionResponse: { name, response: p.isError ? { error: text } : { output: text } } });
          for (const c of p.content) {
            if (c.type === "text") continue;
            const media = this.media(c, path);
            if (media) extra.push(media);
          }
        }
        this.push("user", [...parts, ...extra]);
        return;
      }
      case "assistant":
        this.assistant(m, path);
        return;
    }
  }

  /**
   * A model turn. A thought signature (reasoning without text) goes on the part it was given with: the
   * function call that follows it, or else the text before it; thought summaries with a signature are
   * replayed as thought parts; reasoning without Gemini state is not sent.
   */
  private assistant(m: Message, path: string): void {
    const out = new SignedParts();
    m.content.forEach((p, j) => {
      switch (p.type) {
        case "reasoning":
          if (p.thoughtSignature === undefined) return;
          if (p.text) out.put({ text: p.text, thought: true, thoughtSignature: p.thoughtSignature });
          else {
            const prev = out.parts[out.parts.length - 1];
            const next = m.content[j + 1];
            if (next?.type !== "tool_call" && prev && prev.text !== undefined && prev.thoughtSignature === undefined)
              prev.thoughtSignature = p.thoughtSignature;
            else out.hold(p.thoughtSignature);
          }
          return;
        case "text":
        case "refusal":
          if (p.text.length > 0) out.put({ text: p.text });
          return;
        case "tool_call": {
          const name = flatToolName(p.namespace, p.name);
          this.callNames.set(p.id, name);
          let args: Json = {};
          if (p.kind === "custom") args = { input: p.arguments };
          else {
            try {
              args = p.arguments.trim() ? (JSON.parse(p.arguments) as Json) : {};
            } catch {
              args = { _raw: p.arguments };
              this.warnings.add(
                "invalid_arguments",
                'tool call arguments that are not JSON were sent as {"_raw": text}',
                `${path}.content[${j}]`,
              );
            }
          }
          out.put({ functionCall: { name, args: isObject(args) ? args : { value: args } } });
          return;
        }
        case "raw":
          if (p.dialect === D) out.put(p.value);
          return;
        default:
          return;
      }
    });
    const parts = out.done();
    const placeholder = this.opts.placeholderSignature ?? (isGemini3(this.req.model) ? SKIP_SIGNATURE : undefined);
    const firstCall = parts.find((p) => p.functionCall !== undefined);
    if (placeholder && firstCall && firstCall.thoughtSignature === undefined) firstCall.thoughtSignature = placeholder;
    this.push("model", parts);
  }

  private encodeTools(): JsonObject[] {
    const { req } = this;
    const decls: JsonObject[] = [];
    const others: JsonObject[] = [];
    const tc = req.toolChoice;
    const allowed = tc?.type === "allowed" ? new Set(tc.names) : undefined;
    (req.tools ?? []).forEach((t: Tool, i) => {
      const path = `tools[${i}]`;
      if (t.kind === "raw") {
        if (t.dialect === D) others.push(t.value);
        else this.warnings.toolDropped(t.value, "Gemini", path);
        return;
      }
      if (allowed && !allowed.has(t.name) && req.source !== D) return;
      const name = flatToolName(t.namespace, t.name);
      if (t.kind === "custom") {
        this.tools.set(name, {
          name: t.name,
          kind: "custom",
          wrapped: true,
          ...(t.namespace ? { namespace: t.namespace } : {}),
        });
        const { description, parameters } = emulateCustomTool(t, "Gemini", this.warnings, path);
        decls.push({
          name,
          description,
          parameters: toGeminiSchema(parameters, this.warnings, `${path}.parameters`) ?? {},
        });
        return;
      }
      if (t.namespace) this.tools.set(name, { name: t.name, kind: "function", namespace: t.namespace });
      const decl: JsonObject = { name };
      if (t.description !== undefined) decl.description = t.description;
      const params = toGeminiSchema(t.parameters, this.warnings, `${path}.parameters`);
      if (params && !isEmptyObjectSchema(params)) decl.parameters = params;
      if (t.extras?.dialect === D) Object.assign(decl, t.extras.fields);
      decls.push(decl);
    });
    return decls.length > 0 ? [{ functionDeclarations: decls }, ...others] : others;
  }

  private toolConfig(): JsonObject | undefined {
    const tc = this.req.toolChoice;
    if (!tc) return undefined;
    switch (tc.type) {
      case "auto":
        return { functionCallingConfig: { mode: "AUTO" } };
      case "none":
        return { functionCallingConfig: { mode: "NONE" } };
      case "required":
        return { functionCallingConfig: { mode: "ANY" } };
      case "tool":
        return { functionCallingConfig: { mode: "ANY", allowedFunctionNames: [tc.name] } };
      case "allowed":
        return {
          functionCallingConfig: { mode: tc.mode === "required" ? "ANY" : "AUTO", allowedFunctionNames: tc.names },
        };
      case "raw":
        this.warnings.add("dropped_field", "this tool_choice has no Gemini equivalent and was dropped", "tool_choice");
        return undefined;
    }
  }

  private thinkingConfig(): JsonObject | undefined {
    const r = this.req.reasoning;
    if (!r) return undefined;
    const out: JsonObject = {};
    const off = r.mode === "disabled" || r.effort === "none";
    const gemini3 = isGemini3(this.req.model);
    if (gemini3) {
      const e: Effort | undefined = off ? "low" : r.effort;
      if (e) out.thinkingLevel = e === "minimal" || e === "low" ? "low" : "high";
      if (off)
        this.warnings.add(
          "thinking_clamped",
          "Gemini 3 cannot turn thinking off; it runs at thinkingLevel low",
          "reasoning",
        );
    } else if (off) out.thinkingBudget = 0;
    else if (r.budgetTokens !== undefined) out.thinkingBudget = r.budgetTokens;
    else if (r.effort) out.thinkingBudget = Math.min(effortToBudget(r.effort) ?? 8192, 24_576);
    else if (r.mode === "adaptive") out.thinkingBudget = -1;
    if (!off && r.summary !== null) out.includeThoughts = true;
    return Object.keys(out).length > 0 ? out : undefined;
  }

  private generationConfig(): JsonObject {
    const { req } = this;
    const g: JsonObject = {};
    if (req.maxOutputTokens !== undefined) g.maxOutputTokens = req.maxOutputTokens;
    if (req.temperature !== undefined) g.temperature = req.temperature;
    if (req.topP !== undefined) g.topP = req.topP;
    if (req.topK !== undefined) g.topK = req.topK;
    if (req.stop?.length) g.stopSequences = req.stop.slice(0, 5);
    if (req.seed !== undefined) g.seed = req.seed;
    const rf = req.responseFormat;
    if (rf?.type === "json_object") g.responseMimeType = "application/json";
    else if (rf?.type === "json_schema") {
      g.responseMimeType = "application/json";
      const schema = toGeminiSchema(rf.schema, this.warnings, "response_format.schema");
      if (schema) g.responseSchema = schema;
    }
    const thinking = this.thinkingConfig();
    if (thinking) g.thinkingConfig = thinking;
    return g;
  }

  private crossDialectFields(): void {
    const { req } = this;
    if (req.source === D) return;
    const w = this.warnings;
    const drop = (v: unknown, field: string, why = "has no Gemini equivalent and was dropped") => {
      if (v !== undefined) w.add("dropped_field", `${field} ${why}`, field);
    };
    drop(req.verbosity, "verbosity");
    drop(req.serviceTier === "auto" ? undefined : req.serviceTier, "service_tier");
    drop(req.promptCacheKey, "prompt_cache_key", "has no Gemini equivalent (Gemini caches implicitly)");
    drop(req.metadata, "metadata");
    if (req.truncation !== undefined && req.truncation !== "disabled") drop(req.truncation, "truncation");
    if (req.parallelToolCalls === false) drop(false, "parallel_tool_calls");
    if ((req.stop?.length ?? 0) > 5)
      w.add("stop_clamped", "Gemini takes at most 5 stop sequences; the rest were dropped", "stop");
  }
}

/** IR → Gemini generateContent request body (the model and streaming go in the URL). */
export function encodeGeminiRequest(
  req: Request,
  opts: GeminiRequestOptions = {},
): Encoded<{ body: JsonObject; tools: ToolMapping }> {
  const writer = new GeminiRequestWriter(req, opts);
  const body = writer.encode();
  return { value: { body, tools: writer.tools }, warnings: writer.warnings.list };
}
