/**
 * The output cap of a request (`max_tokens` and each dialect's equivalent) and a script cut to it, as a real
 * model stops: the answer ends at that many output tokens (reasoning included, as every provider counts it),
 * the stop reason says so (`max_tokens` here; each emitter words it in its dialect: Chat `length`, Responses
 * `incomplete` with `max_output_tokens`, Gemini `MAX_TOKENS`) and the usage reports the cap. Tokens are the
 * mock's own estimate (a token per four characters, src/mock/script.ts), so what it streams and what it
 * bills agree.
 */
import type { MockBlock, MockScript } from "./script.js";

/** The APIs whose requests name an output cap. */
export type CapApi = "anthropic" | "chat" | "responses" | "gemini";

/** The cap a request names: a positive integer, none, or the field that is not one. */
export type OutputCap = { max: number } | { none: true } | { invalid: string };

const field = (body: unknown, name: string): unknown =>
  body && typeof body === "object" ? (body as Record<string, unknown>)[name] : undefined;

/**
 * The output cap of a request body in `api`: Anthropic `max_tokens`, Chat `max_completion_tokens` (else the
 * older `max_tokens`), Responses `max_output_tokens`, Gemini `generationConfig.maxOutputTokens`.
 */
export function outputCapOf(api: CapApi, body: unknown): OutputCap {
  const candidates: [string, unknown][] =
    api === "anthropic"
      ? [["max_tokens", field(body, "max_tokens")]]
      : api === "chat"
        ? [
            ["max_completion_tokens", field(body, "max_completion_tokens")],
            ["max_tokens", field(body, "max_tokens")],
          ]
        : api === "responses"
          ? [["max_output_tokens", field(body, "max_output_tokens")]]
          : [["generationConfig.maxOutputTokens", field(field(body, "generationConfig"), "maxOutputTokens")]];
  for (const [name, v] of candidates) {
    if (v === undefined || v === null) continue;
    if (typeof v !== "number" || !Number.isSafeInteger(v) || v < 1) return { invalid: name };
    return { max: v };
  }
  return { none: true };
}

const tokens = (s: string): number => Math.ceil(s.length / 4);

/** The first `n` tokens of `s` (4n characters, never half a surrogate pair). */
function firstTokens(s: string, n: number): string {
  let end = Math.min(s.length, Math.max(0, n) * 4);
  const last = s.charCodeAt(end - 1);
  if (end < s.length && last >= 0xd800 && last <= 0xdbff) end--;
  return s.slice(0, end);
}

/** The tokens a block costs (as the mock estimates its usage). */
function cost(b: MockBlock): number {
  if (b.type === "reasoning") return tokens(b.text || (b.summary ?? []).join("\n\n"));
  if (b.type === "redacted_reasoning") return tokens(b.data);
  if (b.type === "tool_call") return tokens(b.name) + tokens(b.arguments);
  return tokens(b.text);
}

/** The part of `b` that `left` tokens hold (undefined: none of it). */
function cut(b: MockBlock, left: number): MockBlock | undefined {
  if (left <= 0) return undefined;
  if (b.type === "reasoning") {
    const text = firstTokens(b.text || (b.summary ?? []).join("\n\n"), left);
    return { ...b, text, ...(b.summary ? { summary: [text] } : {}) };
  }
  // Opaque reasoning cannot be cut: it is left out.
  if (b.type === "redacted_reasoning") return undefined;
  if (b.type === "tool_call") {
    const room = left - tokens(b.name);
    return room > 0 ? { ...b, arguments: firstTokens(b.arguments, room) } : undefined;
  }
  const text = firstTokens(b.text, left);
  return text ? { ...b, text } : undefined;
}

/** The blocks that fit in `max` tokens, and whether the answer was cut. */
function fitIn(blocks: readonly MockBlock[], max: number): { blocks: MockBlock[]; cut: boolean } {
  const out: MockBlock[] = [];
  let left = max;
  for (const b of blocks) {
    const c = cost(b);
    if (c <= left) {
      out.push(b);
      left -= c;
      continue;
    }
    const part = cut(b, left);
    if (part) out.push(part);
    return { blocks: out, cut: true };
  }
  return { blocks: out, cut: false };
}

/**
 * `script` as a model capped at `max` output tokens answers it: unchanged when it fits; else its blocks cut
 * at the cap, the stop reason `max_tokens`, and the usage's output the cap (its reasoning at most that). A
 * script with its own usage is cut when that usage's output exceeds the cap (its blocks then cut to the cap
 * as well, by the mock's estimate); without one, when its blocks' estimate does.
 */
export function capScript(script: MockScript, max: number): MockScript {
  const scripted = script.usage;
  const fitted = fitIn(script.blocks, max);
  const over = scripted ? scripted.output > max : fitted.cut;
  if (!over) return script;
  const reasoning = scripted
    ? (scripted.reasoning ?? 0)
    : fitted.blocks.reduce((n, b) => n + (b.type === "reasoning" || b.type === "redacted_reasoning" ? cost(b) : 0), 0);
  return {
    ...script,
    blocks: fitted.blocks,
    stop: "max_tokens",
    usage: {
      ...(scripted ?? { input: script.inputTokens ?? 10 }),
      output: max,
      reasoning: Math.min(max, reasoning),
    },
  };
}
