import { budgetToEffort, effortToAnthropic, effortToBudget } from "../../ir/effort.js";
import type { JsonObject, Request } from "../../ir/types.js";
import type { Warnings } from "../../ir/warnings.js";

const D = "anthropic" as const;

export interface ThinkingChoice {
  value?: JsonObject;
  effort?: string;
  /** A larger max_tokens, when the budget needs room and the client set no limit. */
  bumpMax?: number;
}

/**
 * The `thinking` (and output_config.effort) a request gets on a model that accepts `forms`: an effort
 * becomes a budget or adaptive thinking, a form the model refuses becomes the one it accepts, and the
 * budget stays below max_tokens.
 */
export function thinkingConfig(
  req: Request,
  forms: readonly ("enabled" | "adaptive")[],
  maxTokens: number,
  explicitMax: boolean,
  warnings: Warnings,
): ThinkingChoice {
  const r = req.reasoning;
  if (!r) return {};
  const unsupported = (): ThinkingChoice => {
    warnings.add(
      "reasoning_unsupported",
      `${req.model} does not support thinking; reasoning settings were dropped`,
      "reasoning",
    );
    return {};
  };
  const effort = r.effort;
  let mode = r.mode;
  let budget = r.budgetTokens;
  if (mode === undefined) {
    if (effort === undefined) return {};
    mode =
      effort === "none" ? "disabled" : forms.includes("adaptive") && !forms.includes("enabled") ? "adaptive" : forms[0];
    if (mode === "enabled") budget = effortToBudget(effort);
  }
  if (mode === undefined) {
    return unsupported();
  }
  if (mode === "disabled") {
    if (forms.length > 0 && !forms.includes("enabled")) return {}; // adaptive-only models may reject "disabled"
    return { value: { type: "disabled" } };
  }
  if (mode === "enabled" && forms.length > 0 && !forms.includes("enabled")) {
    warnings.add(
      "thinking_form",
      `${req.model} accepts only adaptive thinking; budget_tokens became an effort`,
      "thinking",
    );
    mode = "adaptive";
  } else if (mode === "adaptive" && !forms.includes("adaptive") && forms.includes("enabled")) {
    warnings.add(
      "thinking_form",
      `${req.model} accepts only thinking with a budget; adaptive became enabled`,
      "thinking",
    );
    mode = "enabled";
    budget = effortToBudget(effort ?? "high");
  } else if (forms.length === 0) {
    return unsupported();
  }

  if (mode === "adaptive") {
    const value: JsonObject = { type: "adaptive" };
    if (r.display) value.display = r.display;
    const eff = effort ?? (budget !== undefined ? budgetToEffort(budget) : undefined);
    const out: { value: JsonObject; effort?: string } = { value };
    const mapped = eff ? effortToAnthropic(eff) : undefined;
    if (mapped) out.effort = mapped;
    return out;
  }
  let b = Math.max(1024, budget ?? 16_000);
  let bumpMax: number | undefined;
  if (b >= maxTokens) {
    if (explicitMax) {
      if (maxTokens <= 1024) {
        warnings.add(
          "thinking_dropped",
          `max_tokens ${maxTokens} leaves no room for a thinking budget (min 1024)`,
          "thinking",
        );
        return {};
      }
      warnings.add(
        "thinking_budget_clamped",
        `thinking budget lowered to ${maxTokens - 1} (below max_tokens)`,
        "thinking.budget_tokens",
      );
      b = maxTokens - 1;
    } else bumpMax = b + 4096;
  }
  const value: JsonObject = { type: "enabled", budget_tokens: b };
  if (r.display) value.display = r.display;
  const out: { value: JsonObject; effort?: string; bumpMax?: number } = { value };
  if (bumpMax !== undefined) out.bumpMax = bumpMax;
  if (effort && req.source === D) {
    const mapped = effortToAnthropic(effort);
    if (mapped) out.effort = mapped;
  }
  return out;
}

/** Sampling parameters within what the model (and thinking) accept. */
export function applySampling(
  req: Request,
  body: JsonObject,
  thinkingOn: boolean,
  fixed: boolean,
  warnings: Warnings,
): void {
  if (req.temperature !== undefined) {
    if ((thinkingOn || fixed) && req.temperature !== 1) {
      warnings.add(
        "temperature_dropped",
        `temperature ${req.temperature} is not accepted ${thinkingOn ? "with thinking" : `by ${req.model}`}; it was dropped`,
        "temperature",
      );
    } else {
      body.temperature = Math.min(1, Math.max(0, req.temperature));
      if (body.temperature !== req.temperature) {
        warnings.add(
          "temperature_clamped",
          `temperature ${req.temperature} clamped to ${body.temperature} (Anthropic accepts 0..1)`,
          "temperature",
        );
      }
    }
  }
  if (req.topP !== undefined) {
    const floor = fixed ? 0.99 : thinkingOn ? 0.95 : 0;
    if (req.topP < floor) {
      warnings.add("top_p_clamped", `top_p raised to ${floor} (the lowest value accepted here)`, "top_p");
      body.top_p = floor;
    } else body.top_p = req.topP;
  }
  if (req.topK !== undefined) {
    if (thinkingOn || fixed) warnings.add("top_k_dropped", "top_k is not accepted here; it was dropped", "top_k");
    else body.top_k = req.topK;
  }
}
