import { parseSseText } from "../sse/parser.js";
import { REDACTED, Redactor, SECRET_NAME } from "./redact.js";

/**
 * The redaction of recordings. Keys always go, through the secret-redaction pass of src/secrets/redact.ts
 * (the configured secrets, the caller's own key, the shapes of API keys and bearer tokens, members named
 * like secrets, `logging.redact`), wherever they appear. By default the text goes too: prompts, system
 * prompts, instructions, messages, tool results, tool descriptions, reasoning and the answer's text are
 * replaced by a placeholder of the same shape (letters become x or X, digits 0; spaces, punctuation and
 * line breaks stay), so lengths and Markdown structure survive. The masking works character by character,
 * so a stream's pieces masked one by one read the same as the whole masked at once: a redacted upstream
 * stream replayed through llmux gives the redacted answer. Tool names, tool-call arguments, ids, models and
 * settings are kept: they are what a replay needs.
 */

/** Object keys whose string values are text (masked). */
const TEXT = new Set([
  "text",
  "content",
  "instructions",
  "system",
  "description",
  "reasoning_content",
  "reasoning",
  "thinking",
  "summary",
  "refusal",
  "output",
  "delta",
  "user",
  "prompt_cache_key",
  "safety_identifier",
  "encrypted_content",
  "signature",
  "thoughtSignature",
  "data",
  "transcript",
]);

/** Object keys whose whole subtree is text (every string masked but names and ids). */
const ALL_TEXT = new Set(["metadata", "functionResponse", "logprobs", "top_logprobs"]);

/** Keys never masked, even in a subtree of text. */
const NAMES = new Set(["name", "type", "id", "role", "model", "call_id", "tool_call_id", "tool_use_id"]);

/** Keys kept as they are, whatever is below: tool-call arguments and settings. */
const KEPT = new Set(["arguments", "args", "partial_json", "reasoning_effort", "enum"]);

/** Event or item types whose `delta` / `input` / `arguments` are tool-call arguments (kept). */
const ARGUMENT_TYPES = /arguments|^custom_tool_call$|custom_tool_call_input|input_json|^function_call$/;

/** Letters → x / X, digits → 0, any other non-ASCII character → x; everything else stays. */
export function mask(s: string): string {
  return s
    .replace(/[a-z]/g, "x")
    .replace(/[A-Z]/g, "X")
    .replace(/[0-9]/g, "0")
    .replace(/[\u0080-\uffff]/g, "x");
}

export class Masker {
  constructor(
    readonly keepText: boolean,
    private readonly secrets: Redactor = new Redactor([]),
  ) {}

  /** The same masking, with this exchange's own secrets (the caller's key, a minted key's credentials) removed too. */
  with(own: readonly string[]): Masker {
    return own.length > 0 ? new Masker(this.keepText, this.secrets.with(own)) : this;
  }

  /** Removes every secret (the secret-redaction pass). */
  scrub(s: string): string {
    return this.secrets.redact(s);
  }

  /** A JSON value, redacted. */
  value(v: unknown, key = "", type = "", depth = 0, all = false): unknown {
    if (typeof v === "string") {
      if (SECRET_NAME.test(key)) return REDACTED;
      const text = all ? !NAMES.has(key) : this.isText(key, type, depth, v);
      const masked = !this.keepText && text ? mask(v) : v;
      return this.scrub(masked);
    }
    if (Array.isArray(v)) return v.map((x) => this.value(x, key, type, depth, all));
    if (v === null || typeof v !== "object") return v;
    const o = v as Record<string, unknown>;
    const own = typeof o.type === "string" ? o.type : "";
    const out: Record<string, unknown> = {};
    for (const [k, x] of Object.entries(o)) {
      if (this.kept(k, x, own, depth)) out[k] = this.scrubDeep(x);
      else out[k] = this.value(x, k, own, depth + 1, all || ALL_TEXT.has(k));
    }
    return out;
  }

  private isText(key: string, type: string, depth: number, v: string): boolean {
    if (key === "input") return depth === 1;
    if (key === "url") return v.startsWith("data:");
    if (!TEXT.has(key)) return false;
    return !((key === "delta" || key === "output") && ARGUMENT_TYPES.test(type));
  }

  private kept(key: string, value: unknown, type: string, depth: number): boolean {
    if (KEPT.has(key)) return true;
    // Anthropic's tool_use input and a Responses custom call's input are arguments; a Responses request's input is not.
    if (key === "input" && depth > 0 && (typeof value === "string" || !Array.isArray(value))) return true;
    // A Responses request's reasoning settings ({effort, summary}) are settings, not text.
    if (key === "reasoning" && value !== null && typeof value === "object" && !Array.isArray(value))
      return !("content" in value || "text" in value);
    return ARGUMENT_TYPES.test(type) && key === "delta";
  }

  private scrubDeep(v: unknown): unknown {
    if (typeof v === "string") return this.scrub(v);
    if (Array.isArray(v)) return v.map((x) => this.scrubDeep(x));
    if (v === null || typeof v !== "object") return v;
    return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, this.scrubDeep(x)]));
  }

  /** A JSON document (request or answer body), redacted and pretty-printed; other text is only scrubbed. */
  json(text: string, indent = 2): string {
    try {
      return `${JSON.stringify(this.value(JSON.parse(text)), null, indent)}\n`;
    } catch {
      return this.scrub(text);
    }
  }

  /** An answer as it went over the wire: an event stream event by event, or a JSON body. */
  stream(text: string, contentType: string): string {
    if (!contentType.includes("event-stream")) return this.json(text, 0).trimEnd();
    let out = "";
    for (const ev of parseSseText(text)) {
      let data = ev.data;
      try {
        data = JSON.stringify(this.value(JSON.parse(data)));
      } catch {
        data = this.scrub(data);
      }
      if (ev.event !== undefined) out += `event: ${ev.event}\n`;
      for (const line of data.split("\n")) out += `data: ${line}\n`;
      out += "\n";
    }
    return out;
  }
}
