/**
 * What a routing rule can see of a request's body, in any dialect (Anthropic Messages, OpenAI Chat and
 * Responses, Gemini), read only as far as a rule asks: whether it asks for reasoning and at what effort,
 * whether its conversation holds images or documents, which tools it offers, and its input tokens counted as
 * count_tokens counts them. Nothing here does I/O; the count runs on the tokenizer's thread.
 */

import { budgetToEffort, isEffort } from "../ir/effort.js";
import { isObject } from "../ir/input-error.js";
import type { Dialect, Json, JsonObject } from "../ir/types.js";
import { estimateInputTokens } from "../tokens/count.js";
import { codecs } from "../translate/codecs.js";

/** How deep into a body the search for images and documents goes (a conversation is a few levels deep). */
const MAX_DEPTH = 8;

export interface Reasoning {
  readonly requested: boolean;
  readonly effort?: string | undefined;
}

/** The reasoning a body asks for, by each dialect's spelling. */
export function reasoningOf(body: JsonObject): Reasoning {
  const t = body.thinking;
  if (isObject(t)) {
    if (t.type === "disabled") return { requested: false };
    const oc = body.output_config;
    const effort = isObject(oc) && isEffort(oc.effort) ? oc.effort : undefined;
    if (effort) return { requested: true, effort };
    return {
      requested: true,
      effort: typeof t.budget_tokens === "number" ? budgetToEffort(t.budget_tokens) : undefined,
    };
  }
  if (typeof body.reasoning_effort === "string")
    return { requested: body.reasoning_effort !== "none", effort: body.reasoning_effort };
  const r = body.reasoning;
  if (isObject(r)) {
    if (typeof r.effort === "string") return { requested: r.effort !== "none", effort: r.effort };
    if (r.enabled === false) return { requested: false };
    return { requested: true };
  }
  const gc = body.generationConfig;
  const tc = isObject(gc) ? gc.thinkingConfig : undefined;
  if (isObject(tc)) {
    if (typeof tc.thinkingLevel === "string") return { requested: true, effort: tc.thinkingLevel.toLowerCase() };
    if (typeof tc.thinkingBudget === "number")
      return tc.thinkingBudget === 0
        ? { requested: false }
        : { requested: true, effort: tc.thinkingBudget > 0 ? budgetToEffort(tc.thinkingBudget) : undefined };
    return { requested: true };
  }
  return { requested: false };
}

/** Where a conversation's parts are, in any dialect: the body's lists. */
const CONVERSATIONS = ["messages", "input", "contents"] as const;

const IMAGE_TYPES = new Set(["image", "image_url", "input_image"]);
const DOCUMENT_TYPES = new Set(["document", "file", "input_file"]);

interface Media {
  images: boolean;
  documents: boolean;
}

/**
 * What a value of a conversation holds, walked without a closure or a list per object (a long conversation is
 * hundreds of parts, read on every request a media rule is asked of). `typed`: content parts by their type
 * (Anthropic, OpenAI), their `content` and `source` lists; `inline`: Gemini's inline data and files by their
 * MIME type, their `parts`.
 */
function walkMedia(v: Json, depth: number, found: Media, typed: boolean, inline: boolean): void {
  if (depth > MAX_DEPTH || (found.images && found.documents)) return;
  if (Array.isArray(v)) {
    for (let i = 0; i < v.length; i++) walkMedia(v[i]!, depth + 1, found, typed, inline);
    return;
  }
  if (typeof v !== "object" || v === null) return;
  const o = v as JsonObject;
  if (typed) {
    const type = o.type;
    if (typeof type === "string") {
      if (IMAGE_TYPES.has(type)) found.images = true;
      else if (DOCUMENT_TYPES.has(type)) found.documents = true;
    }
    const content = o.content;
    if (Array.isArray(content)) walkMedia(content, depth + 1, found, typed, inline);
    const source = o.source;
    if (Array.isArray(source)) walkMedia(source, depth + 1, found, typed, inline);
  }
  if (inline) {
    const data = isObject(o.inlineData) ? o.inlineData : isObject(o.fileData) ? o.fileData : undefined;
    if (data) {
      const mime = String(data.mimeType ?? data.mime_type ?? "");
      if (mime.startsWith("image/")) found.images = true;
      else found.documents = true;
    }
    const parts = o.parts;
    if (Array.isArray(parts)) walkMedia(parts, depth + 1, found, typed, inline);
  }
}

/**
 * Whether a conversation holds images and documents (content parts of any dialect, tool results included).
 * With its dialect, only that dialect's spelling is looked for.
 */
export function mediaOf(body: JsonObject, dialect?: Dialect): Media {
  const found: Media = { images: false, documents: false };
  const typed = dialect !== "gemini";
  const inline = dialect === undefined || dialect === "gemini";
  for (const k of CONVERSATIONS) {
    const list = body[k];
    if (Array.isArray(list)) walkMedia(list, 0, found, typed, inline);
  }
  return found;
}

/**
 * The names of the tools a body offers: functions by their name, built-in tools (web search, code execution)
 * by their name or, when they have none, their type (`web_search_preview`, Gemini's `googleSearch`).
 */
export function toolNamesOf(body: JsonObject): string[] {
  const tools = body.tools;
  if (!Array.isArray(tools)) return [];
  const out: string[] = [];
  for (const t of tools) {
    if (!isObject(t)) continue;
    if (isObject(t.function) && typeof t.function.name === "string") out.push(t.function.name);
    else if (typeof t.name === "string") out.push(t.name);
    else if (Array.isArray(t.functionDeclarations)) {
      for (const f of t.functionDeclarations) if (isObject(f) && typeof f.name === "string") out.push(f.name);
    } else if (typeof t.type === "string") out.push(t.type);
    else for (const k of Object.keys(t)) out.push(k);
  }
  return out;
}

/** The input tokens of a body, as count_tokens estimates them (0 when it cannot be decoded). */
export async function inputTokensOf(dialect: Dialect, body: JsonObject): Promise<number> {
  try {
    return await estimateInputTokens(codecs[dialect].decodeRequest(body));
  } catch {
    return 0;
  }
}

/** A body's facts, each read once, when a rule first asks. */
export class BodyFacts {
  private r: Reasoning | undefined;
  private m: { images: boolean; documents: boolean } | undefined;
  private t: string[] | undefined;
  private n: Promise<number> | undefined;

  constructor(
    private readonly dialect: Dialect,
    private readonly body: JsonObject,
  ) {}

  reasoning(): Reasoning {
    this.r ??= reasoningOf(this.body);
    return this.r;
  }
  media(): { images: boolean; documents: boolean } {
    this.m ??= mediaOf(this.body, this.dialect);
    return this.m;
  }
  tools(): readonly string[] {
    this.t ??= toolNamesOf(this.body);
    return this.t;
  }
  inputTokens(): Promise<number> {
    this.n ??= inputTokensOf(this.dialect, this.body);
    return this.n;
  }
}
