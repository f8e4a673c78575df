import { describe, InputError, isObject } from "../ir/input-error.js";
import type { Json } from "../ir/types.js";

/** Bounds of a fill-in-the-middle request (docs/completions.md). */
export const FIM_BOUNDS = {
  /** Characters of `prompt`, and of `suffix`. */
  chars: 262_144,
  maxTokens: 32_768,
  stops: 16,
  stopChars: 256,
} as const;

/** A fill-in-the-middle request, whichever route it came in on. */
export interface FimAsk {
  readonly model: string;
  readonly prompt: string;
  readonly suffix?: string | undefined;
  readonly maxTokens?: number | undefined;
  readonly stop?: readonly string[] | undefined;
  readonly temperature?: number | undefined;
  readonly topP?: number | undefined;
  readonly stream: boolean;
  /** The client's shape: legacy Completions (`text_completion`) or Mistral's FIM (`chat.completion`). */
  readonly shape: "completions" | "fim";
}

function text(v: Json | undefined, field: string, required: boolean): string | undefined {
  if (v === undefined || v === null) {
    if (required) throw new InputError(field, `${field} is required`);
    return undefined;
  }
  // Legacy Completions takes a prompt array; one string in it is one prompt.
  if (field === "prompt" && Array.isArray(v)) {
    if (v.length !== 1 || typeof v[0] !== "string")
      throw new InputError(field, "prompt must be a string (or an array holding one string)");
    return text(v[0], field, required);
  }
  if (typeof v !== "string") throw new InputError(field, `${field} must be a string, not ${describe(v)}`);
  if (v.length > FIM_BOUNDS.chars)
    throw new InputError(field, `${field} holds ${v.length} characters; at most ${FIM_BOUNDS.chars} are taken`);
  return v;
}

function numberIn(v: Json | undefined, field: string, min: number, max: number, integer = false): number | undefined {
  if (v === undefined || v === null) return undefined;
  if (typeof v !== "number" || v < min || v > max || (integer && !Number.isInteger(v)))
    throw new InputError(field, `${field} must be ${integer ? "an integer" : "a number"} from ${min} to ${max}`);
  return v;
}

function stops(v: Json | undefined): string[] | undefined {
  if (v === undefined || v === null) return undefined;
  const list = typeof v === "string" ? [v] : v;
  if (!Array.isArray(list) || list.length > FIM_BOUNDS.stops)
    throw new InputError("stop", `stop must be a string or an array of at most ${FIM_BOUNDS.stops} strings`);
  return list.map((s, i) => {
    if (typeof s !== "string" || s.length === 0 || s.length > FIM_BOUNDS.stopChars)
      throw new InputError(`stop[${i}]`, `stop[${i}] must be a string of 1 to ${FIM_BOUNDS.stopChars} characters`);
    return s;
  });
}

/** POST /v1/completions (legacy Completions) and POST /v1/fim/completions (Mistral's FIM). */
export function decodeFim(body: Json, shape: FimAsk["shape"]): FimAsk {
  if (!isObject(body)) throw new InputError(null, "Request body must be a JSON object");
  const model = body.model;
  if (typeof model !== "string" || model.length === 0) throw new InputError("model", "model is required");
  if (body.n !== undefined && body.n !== null && body.n !== 1)
    throw new InputError("n", "n must be 1: llmux answers one completion a request");
  if (body.best_of !== undefined && body.best_of !== null && body.best_of !== 1)
    throw new InputError("best_of", "best_of must be 1");
  if (body.echo === true) throw new InputError("echo", "echo is not supported");
  if (body.stream !== undefined && body.stream !== null && typeof body.stream !== "boolean")
    throw new InputError("stream", "stream must be a boolean");
  return {
    model,
    prompt: text(body.prompt, "prompt", true)!,
    suffix: text(body.suffix, "suffix", false) || undefined,
    maxTokens: numberIn(body.max_tokens, "max_tokens", 1, FIM_BOUNDS.maxTokens, true),
    stop: stops(body.stop),
    temperature: numberIn(body.temperature, "temperature", 0, 2),
    topP: numberIn(body.top_p, "top_p", 0, 1),
    stream: body.stream === true,
    shape,
  };
}
