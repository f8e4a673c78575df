/**
 * Facts about Claude models that change how a request must be written for them. Data, not `if`s: a new
 * model is a new row. Rows are tried in order; the first whose pattern matches the model id wins.
 */
export interface ClaudeFacts {
  /** Largest max_tokens the model accepts; also the default when a client sends none. */
  maxOutputTokens: number;
  /** Thinking forms the model accepts. */
  thinking: readonly ("enabled" | "adaptive")[];
  /** Whether a trailing assistant message (prefill) is accepted. */
  prefill: boolean;
  /** Whether the model rejects non-default sampling (temperature ≠ 1, top_p < 0.99, top_k). */
  fixedSampling: boolean;
}

export const CLAUDE_ROWS: ReadonlyArray<readonly [RegExp, ClaudeFacts]> = [
  [
    /claude-(opus|sonnet|haiku|fable|mythos)-5|claude-5|mythos/,
    { maxOutputTokens: 128_000, thinking: ["adaptive"], prefill: false, fixedSampling: true },
  ],
  [/opus-4-7/, { maxOutputTokens: 128_000, thinking: ["adaptive"], prefill: false, fixedSampling: true }],
  [/opus-4-6/, { maxOutputTokens: 128_000, thinking: ["adaptive", "enabled"], prefill: false, fixedSampling: false }],
  [/sonnet-4-6/, { maxOutputTokens: 64_000, thinking: ["adaptive", "enabled"], prefill: false, fixedSampling: false }],
  [/(opus|sonnet|haiku)-4-5/, { maxOutputTokens: 64_000, thinking: ["enabled"], prefill: true, fixedSampling: false }],
  [
    /opus-4-1|opus-4-0|opus-4(?!-\d(?!\d))/,
    { maxOutputTokens: 32_000, thinking: ["enabled"], prefill: true, fixedSampling: false },
  ],
  [/sonnet-4|3-7-sonnet/, { maxOutputTokens: 64_000, thinking: ["enabled"], prefill: true, fixedSampling: false }],
  [/3-5-(sonnet|haiku)/, { maxOutputTokens: 8192, thinking: [], prefill: true, fixedSampling: false }],
  [/claude-3-/, { maxOutputTokens: 4096, thinking: [], prefill: true, fixedSampling: false }],
];

/** For ids that match no row (newer Claude models, Anthropic-compatible vendors). */
const FALLBACK: ClaudeFacts = {
  maxOutputTokens: 32_000,
  thinking: ["enabled", "adaptive"],
  prefill: true,
  fixedSampling: false,
};

export function claudeFacts(model: string): ClaudeFacts {
  const id = model.toLowerCase();
  for (const [pattern, facts] of CLAUDE_ROWS) if (pattern.test(id)) return facts;
  return FALLBACK;
}
