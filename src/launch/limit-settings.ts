/**
 * A model's limits (GET /v1/models: its context window, its most output) as each tool's own settings, so that
 * the tool compacts its conversation where the model llmux routes to needs it, not where the tool's guess
 * for an unknown name would (docs/models.md says which setting of which tool, and why).
 */
import type { ModelLimits } from "./tool-spec.js";

/** Codex's default auto-compact limit: 90% of the model's context window (codex-rs `auto_compact_token_limit`). */
export const CODEX_AUTO_COMPACT_SHARE = 0.9;

/**
 * Codex's `-c` overrides for the chosen model: its window, and the auto-compact limit Codex would derive from
 * that window, given too because older Codex releases let the limit of a name in their own model catalog win
 * over a configured window. Codex 0.169 reads no setting for a model's most output (its binary knows no
 * `model_max_output_tokens`): the Responses requests it sends name none.
 */
export function codexLimitArgs(l: ModelLimits | undefined): string[] {
  const args: string[] = [];
  if (l?.contextWindow !== undefined) {
    args.push("-c", `model_context_window=${l.contextWindow}`);
    args.push("-c", `model_auto_compact_token_limit=${Math.floor(l.contextWindow * CODEX_AUTO_COMPACT_SHARE)}`);
  }
  return args;
}

/** What the launcher says of it. */
export function codexLimitNote(window: number): string {
  return `model limits: a context window of ${window} tokens (Codex compacts at ${Math.floor(window * CODEX_AUTO_COMPACT_SHARE)})`;
}

/** Claude Code's extended-context suffix on a model name (`claude-opus-4-8[1m]`). */
const ONE_MILLION = /\[1m\]/i;

/**
 * Claude Code's variables for the chosen model. Its most output: CLAUDE_CODE_MAX_OUTPUT_TOKENS. Its window,
 * by Claude Code's model-name conventions: a name without `claude` in it is one Claude Code does not know, and
 * CLAUDE_CODE_MAX_CONTEXT_TOKENS declares its window (with CLAUDE_CODE_DISABLE_1M_CONTEXT when the name
 * carries `[1m]` but the window is smaller); a name with `claude` in it Claude Code resolves to that Claude
 * model, whose window it knows, and CLAUDE_CODE_AUTO_COMPACT_WINDOW (100k to 1M) lowers the point it
 * compacts at when the routed model's window is smaller.
 */
export function claudeLimitEnv(model: string | undefined, l: ModelLimits | undefined): Record<string, string> {
  const env: Record<string, string> = {};
  if (l?.maxOutputTokens !== undefined) env.CLAUDE_CODE_MAX_OUTPUT_TOKENS = String(l.maxOutputTokens);
  const window = l?.contextWindow;
  if (!model || window === undefined) return env;
  if (!/claude/i.test(model)) {
    env.CLAUDE_CODE_MAX_CONTEXT_TOKENS = String(window);
    if (ONE_MILLION.test(model) && window < 1_000_000) env.CLAUDE_CODE_DISABLE_1M_CONTEXT = "1";
  } else if (window >= 100_000 && window <= 1_000_000) env.CLAUDE_CODE_AUTO_COMPACT_WINDOW = String(window);
  return env;
}

/** The window Gemini CLI assumes for a model name it does not know (its `DEFAULT_TOKEN_LIMIT`). */
export const GEMINI_ASSUMED_WINDOW = 1_048_576;
/** Gemini CLI compresses its history at this share of that window unless `model.compressionThreshold` says. */
export const GEMINI_DEFAULT_COMPRESSION = 0.5;

/**
 * Gemini CLI has no setting for a model's window: it compresses at `model.compressionThreshold` (a share) of
 * the window it assumes. The share that makes it compress where it would on the real window: the user's
 * share (or the default) scaled by real / assumed. Undefined when the window is unknown or not smaller.
 */
export function geminiCompressionThreshold(userShare: unknown, l: ModelLimits | undefined): number | undefined {
  // Unknown, or no smaller than what Gemini CLI assumes: its own threshold is already right.
  if (l?.contextWindow === undefined || l.contextWindow >= GEMINI_ASSUMED_WINDOW) return undefined;
  const share =
    typeof userShare === "number" && userShare > 0 && userShare <= 1 ? userShare : GEMINI_DEFAULT_COMPRESSION;
  const scaled = (share * l.contextWindow) / GEMINI_ASSUMED_WINDOW;
  return Math.max(0.0001, Math.round(scaled * 10_000) / 10_000);
}
