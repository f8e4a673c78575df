import { describe, InputError, isObject } from "../ir/input-error.js";
import type { Json, JsonObject } from "../ir/types.js";
import { EMBED_BOUNDS, type EmbedAsk, type EmbedInput } from "./ask.js";

function tokenArray(v: unknown, field: string): readonly number[] {
  if (!Array.isArray(v) || v.length === 0)
    throw new InputError(field, `${field} must be a non-empty array of token ids`);
  if (v.length > EMBED_BOUNDS.tokens)
    throw new InputError(field, `${field} holds ${v.length} token ids; at most ${EMBED_BOUNDS.tokens} are taken`);
  for (const t of v)
    if (typeof t !== "number" || !Number.isInteger(t) || t < 0)
      throw new InputError(field, `${field} must hold token ids (non-negative integers), not ${describe(t)}`);
  return v as number[];
}

function text(v: unknown, field: string): string {
  if (typeof v !== "string") throw new InputError(field, `${field} must be a string, not ${describe(v)}`);
  if (v.length === 0) throw new InputError(field, `${field} must not be empty`);
  return v;
}

/** OpenAI's `input`: a string, an array of strings, an array of token ids, or an array of those arrays. */
function openaiInputs(input: Json | undefined): EmbedInput[] {
  if (input === undefined || input === null) throw new InputError("input", "input is required");
  if (typeof input === "string") return [text(input, "input")];
  if (!Array.isArray(input))
    throw new InputError("input", `input must be a string or an array, not ${describe(input)}`);
  if (input.length === 0) throw new InputError("input", "input must not be an empty array");
  if (input.length > EMBED_BOUNDS.inputs)
    throw new InputError(
      "input",
      `input holds ${input.length} items; at most ${EMBED_BOUNDS.inputs} are taken in one request`,
    );
  if (typeof input[0] === "number") return [tokenArray(input, "input")];
  return input.map((v, i) => (Array.isArray(v) ? tokenArray(v, `input[${i}]`) : text(v, `input[${i}]`)));
}

function dimensionsOf(v: Json | undefined, field: string): number | undefined {
  if (v === undefined || v === null) return undefined;
  if (typeof v !== "number" || !Number.isInteger(v) || v < 1 || v > EMBED_BOUNDS.dimensions)
    throw new InputError(field, `${field} must be an integer from 1 to ${EMBED_BOUNDS.dimensions}`);
  return v;
}

/** POST /v1/embeddings (and Azure's deployment path, whose deployment names the model). */
export function decodeOpenAI(body: Json, pathModel: string | undefined): EmbedAsk {
  if (!isObject(body)) throw new InputError(null, "Request body must be a JSON object");
  const model = pathModel ?? body.model;
  if (typeof model !== "string" || model.length === 0) throw new InputError("model", "model is required");
  const format = body.encoding_format ?? "float";
  if (format !== "float" && format !== "base64")
    throw new InputError("encoding_format", 'encoding_format must be "float" or "base64"');
  const user = body.user;
  if (user !== undefined && user !== null && typeof user !== "string")
    throw new InputError("user", "user must be a string");
  return {
    model,
    inputs: openaiInputs(body.input),
    dimensions: dimensionsOf(body.dimensions, "dimensions"),
    format,
    user: typeof user === "string" ? user : undefined,
  };
}

/** A Gemini `content`'s text: its text parts, joined (Gemini embeds a content's parts as one). */
function contentText(content: Json | undefined, field: string): string {
  if (!isObject(content) || !Array.isArray(content.parts) || content.parts.length === 0)
    throw new InputError(field, `${field} must be a content with parts`);
  const texts = content.parts.map((p, i) => {
    if (!isObject(p) || typeof p.text !== "string")
      throw new InputError(`${field}.parts[${i}]`, `${field}.parts[${i}] must be a text part`);
    return p.text;
  });
  return text(texts.join("\n"), `${field}.parts`);
}

interface GeminiOne {
  text: string;
  taskType?: string | undefined;
  title?: string | undefined;
  dimensions?: number | undefined;
}

function geminiOne(req: JsonObject, at: string): GeminiOne {
  const taskType = req.taskType ?? req.task_type;
  if (taskType !== undefined && typeof taskType !== "string")
    throw new InputError(`${at}taskType`, `${at}taskType must be a string`);
  if (req.title !== undefined && typeof req.title !== "string")
    throw new InputError(`${at}title`, `${at}title must be a string`);
  return {
    text: contentText(req.content, `${at}content`),
    taskType,
    title: req.title,
    dimensions: dimensionsOf(req.outputDimensionality ?? req.output_dimensionality, `${at}outputDimensionality`),
  };
}

/** `models/{m}:embedContent` (one content) and `:batchEmbedContents` (`requests`, each a content). */
export function decodeGemini(body: Json, model: string, batch: boolean): EmbedAsk {
  if (!isObject(body)) throw new InputError(null, "Request body must be a JSON object");
  let ones: GeminiOne[];
  if (batch) {
    const reqs = body.requests;
    if (!Array.isArray(reqs) || reqs.length === 0)
      throw new InputError("requests", "requests must be a non-empty array");
    if (reqs.length > EMBED_BOUNDS.inputs)
      throw new InputError("requests", `requests holds ${reqs.length} items; at most ${EMBED_BOUNDS.inputs} are taken`);
    ones = reqs.map((r, i) => {
      if (!isObject(r)) throw new InputError(`requests[${i}]`, `requests[${i}] must be an object`);
      return geminiOne(r, `requests[${i}].`);
    });
    // One upstream call carries one task type, title and size: requests that differ are refused by name.
    for (const f of ["taskType", "dimensions"] as const)
      ones.forEach((o, i) => {
        if (o[f] !== ones[0]![f]) {
          const name = f === "dimensions" ? "outputDimensionality" : f;
          throw new InputError(
            `requests[${i}].${name}`,
            `requests[${i}].${name} differs from requests[0]'s: send requests with different ${name} apart`,
          );
        }
      });
  } else ones = [geminiOne(body, "")];
  const first = ones[0]!;
  return {
    model,
    inputs: ones.map((o) => o.text),
    dimensions: first.dimensions,
    format: "gemini",
    batch,
    taskType: first.taskType,
    title: batch ? undefined : first.title,
  };
}
