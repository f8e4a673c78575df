import { claudeFacts } from "./claude.js";

/**
 * An alias's token limits as the coding tools are told them (`/v1/models`, the launchers): its context window
 * and the most output it produces in one answer. Absent: unknown (the tool keeps its own default).
 */
export interface ModelLimits {
  contextWindow?: number;
  maxOutputTokens?: number;
}

/**
 * Limits of upstream models by id, the first matching row winning (specific patterns first). Data, not `if`s:
 * a new model is a row. GPT-5 rows give the input share of the 400k window (272k) as the window, as Codex's
 * own model catalog does, so that a tool compacts where it would against OpenAI directly. Claude rows are
 * in src/models/claude.ts (its output limit) with a 200k window.
 */
export const LIMIT_ROWS: ReadonlyArray<readonly [RegExp, Required<ModelLimits>]> = [
  [/gpt-5(\.\d+)?-pro/, { contextWindow: 272_000, maxOutputTokens: 272_000 }],
  [/gpt-5/, { contextWindow: 272_000, maxOutputTokens: 128_000 }],
  [/gpt-4\.1/, { contextWindow: 1_047_576, maxOutputTokens: 32_768 }],
  [/gpt-4o/, { contextWindow: 128_000, maxOutputTokens: 16_384 }],
  [/(^|\/)o[1-9](-mini|-pro)?($|-)/, { contextWindow: 200_000, maxOutputTokens: 100_000 }],
  [/gemini-2\.0/, { contextWindow: 1_048_576, maxOutputTokens: 8_192 }],
  [/gemini-(2\.5|3)/, { contextWindow: 1_048_576, maxOutputTokens: 65_536 }],
  [/kimi-k2/, { contextWindow: 262_144, maxOutputTokens: 32_768 }],
  [/deepseek-(chat|reasoner)/, { contextWindow: 131_072, maxOutputTokens: 8_192 }],
];

const CLAUDE_WINDOW = 200_000;

/** The limits the table knows for an upstream model id ({} when it knows none). */
export function knownLimits(model: string): ModelLimits {
  const id = model.toLowerCase();
  for (const [pattern, limits] of LIMIT_ROWS) if (pattern.test(id)) return limits;
  if (id.includes("claude")) return { contextWindow: CLAUDE_WINDOW, maxOutputTokens: claudeFacts(id).maxOutputTokens };
  return {};
}

/** What a configuration entry (an alias, one of its deployments) may declare. */
export interface DeclaredLimits {
  context_window?: number | undefined;
  max_output_tokens?: number | undefined;
  /** An alias's own output limit (it replaces what clients ask for). */
  max_tokens?: number | undefined;
}

const smallest = (values: readonly (number | undefined)[]): number | undefined => {
  const known = values.filter((v): v is number => v !== undefined);
  return known.length > 0 ? Math.min(...known) : undefined;
};

/**
 * An alias's limits: what the alias declares, else for each of its deployments what that deployment declares
 * or the table knows of its upstream model, the smallest over the deployments (any of them may serve a turn).
 * An alias's `max_tokens` caps the output further. `deployments` are the upstream model ids in use with the
 * entries that declared them.
 */
export function aliasLimits(
  alias: DeclaredLimits,
  deployments: readonly { model: string; declared?: DeclaredLimits | undefined }[],
): ModelLimits {
  const each = deployments.map((d) => {
    const known = knownLimits(d.model);
    return {
      contextWindow: d.declared?.context_window ?? known.contextWindow,
      maxOutputTokens: d.declared?.max_output_tokens ?? known.maxOutputTokens,
    };
  });
  const contextWindow = alias.context_window ?? smallest(each.map((l) => l.contextWindow));
  let maxOutputTokens = alias.max_output_tokens ?? smallest(each.map((l) => l.maxOutputTokens));
  if (alias.max_tokens !== undefined) maxOutputTokens = Math.min(maxOutputTokens ?? alias.max_tokens, alias.max_tokens);
  // The output of one answer never takes the whole window (a table row next to a smaller declared window).
  if (contextWindow !== undefined && maxOutputTokens !== undefined && maxOutputTokens >= contextWindow)
    maxOutputTokens = Math.floor(contextWindow / 2);
  const out: ModelLimits = {};
  if (contextWindow !== undefined) out.contextWindow = contextWindow;
  if (maxOutputTokens !== undefined) out.maxOutputTokens = maxOutputTokens;
  return out;
}
