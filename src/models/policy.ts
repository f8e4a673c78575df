import type { ModelConfig } from "../config/schema.js";
import { EFFORTS } from "../ir/effort.js";
import type { Dialect, Effort, ErrorInfo } from "../ir/types.js";
import type { Warnings } from "../ir/warnings.js";
import type { Capabilities } from "./capabilities.js";
import type { SettingsView } from "./settings-view.js";

export type Policy = "clamp" | "strict";

/** How each setting is spelled in a client's dialect, for messages that name the parameter. */
const PARAM: Record<Dialect, Record<"effort" | "verbosity" | "truncation" | "temperature" | "top_p", string>> = {
  "openai-chat": {
    effort: "reasoning_effort",
    verbosity: "verbosity",
    truncation: "truncation",
    temperature: "temperature",
    top_p: "top_p",
  },
  "openai-responses": {
    effort: "reasoning.effort",
    verbosity: "text.verbosity",
    truncation: "truncation",
    temperature: "temperature",
    top_p: "top_p",
  },
  anthropic: {
    effort: "output_config.effort",
    verbosity: "verbosity",
    truncation: "truncation",
    temperature: "temperature",
    top_p: "top_p",
  },
  gemini: {
    effort: "generationConfig.thinkingConfig",
    verbosity: "verbosity",
    truncation: "truncation",
    temperature: "generationConfig.temperature",
    top_p: "generationConfig.topP",
  },
};

/** The accepted effort closest to `wanted` (ties go to the higher effort). */
export function nearestEffort(wanted: Effort, accepted: readonly Effort[]): Effort {
  const at = EFFORTS.indexOf(wanted);
  let best = accepted[0]!;
  let bestDist = Number.POSITIVE_INFINITY;
  for (const e of accepted) {
    const d = Math.abs(EFFORTS.indexOf(e) - at);
    if (d < bestDist || (d === bestDist && EFFORTS.indexOf(e) > EFFORTS.indexOf(best))) {
      best = e;
      bestDist = d;
    }
  }
  return best;
}

/** A model alias's settings; they override what the client sent (the alias is the user's explicit choice). */
export function applyAliasSettings(view: SettingsView, settings: ModelConfig): void {
  if (settings.thinking) {
    const t: { type?: "enabled" | "adaptive" | "disabled"; budget?: number } = {};
    if (settings.thinking.type) t.type = settings.thinking.type;
    if (settings.thinking.budget_tokens !== undefined) t.budget = settings.thinking.budget_tokens;
    view.setThinking(t);
  }
  if (settings.reasoning?.effort) view.setEffort(settings.reasoning.effort);
  if (settings.reasoning?.summary)
    view.setSummary(settings.reasoning.summary === "none" ? null : settings.reasoning.summary);
  if (settings.verbosity) view.setVerbosity(settings.verbosity);
  if (settings.truncation) view.setTruncation(settings.truncation);
  if (settings.max_tokens !== undefined) view.setMaxTokens(settings.max_tokens);
  if (settings.temperature !== undefined) view.setTemperature(settings.temperature);
}

/**
 * Makes a request acceptable to `model`: under `clamp` each refused value is replaced by the nearest one the
 * model accepts (or removed) and reported as a warning; under `strict` the first refused value is a 400
 * naming the parameter as the client spelt it.
 */
export function applyCapabilities(
  view: SettingsView,
  caps: Capabilities,
  model: string,
  policy: Policy,
  client: Dialect,
  warnings: Warnings,
): ErrorInfo | undefined {
  const names = PARAM[client];
  const refuse = (param: string, message: string): ErrorInfo => ({
    status: 400,
    kind: "invalid_request",
    message,
    param,
    code: "unsupported_value",
  });

  const form = view.thinkingForm();
  if (form && caps.thinking && caps.thinking.length > 0 && !caps.thinking.includes(form)) {
    const to = caps.thinking[0]!;
    const msg = `${model} does not accept thinking type '${form}' (accepted: ${caps.thinking.join(", ")})`;
    if (policy === "strict") return refuse("thinking.type", msg);
    const effort = view.effort();
    if (to === "adaptive") {
      view.setThinking({ type: "adaptive" });
      if (effort) view.setEffort(effort);
    } else view.setEffort(effort ?? "high");
    warnings.add("thinking_form", `${msg}; '${to}' was used`, "thinking.type");
  }

  /** What the model does not accept (`msg`): refused (strict), or `apply`d with a warning `code` saying what was `done`. */
  const adjust = (param: string, msg: string, code: string, done: string, apply: () => void): ErrorInfo | undefined => {
    if (policy === "strict") return refuse(param, msg);
    apply();
    warnings.add(code, `${msg}; ${done}`, param);
    return undefined;
  };
  /** A value not among those the model accepts: refused (strict), or the one `pick` chooses used instead. */
  const clamp = <T extends string>(
    what: string,
    value: T | undefined,
    accepted: readonly T[] | undefined,
    pick: (accepted: readonly T[], value: T) => T,
    param: string,
    code: string,
    set: (v: T) => void,
  ): ErrorInfo | undefined => {
    if (!value || !accepted || accepted.includes(value)) return undefined;
    const to = pick(accepted, value);
    const msg = `${model} does not accept ${what} '${value}' (accepted: ${accepted.join(", ")})`;
    return adjust(param, msg, code, `'${to}' was used`, () => set(to));
  };
  const first = <T>(accepted: readonly T[]): T => accepted[0]!;
  const clamped =
    clamp(
      "reasoning effort",
      view.effort(),
      caps.efforts,
      (a, e) => nearestEffort(e, a),
      names.effort,
      "effort_clamped",
      (e) => view.setEffort(e),
    ) ??
    clamp("verbosity", view.verbosity(), caps.verbosity, first, names.verbosity, "verbosity_clamped", (v) =>
      view.setVerbosity(v),
    ) ??
    clamp("truncation", view.truncation(), caps.truncation, first, names.truncation, "truncation_clamped", (t) =>
      view.setTruncation(t),
    );
  if (clamped) return clamped;
  if (caps.sampling === false) {
    const t = view.temperature();
    const refusedT =
      t !== undefined && t !== 1
        ? adjust(
            names.temperature,
            `${model} accepts only the default temperature`,
            "temperature_dropped",
            `temperature ${t} was dropped`,
            () => view.setTemperature(undefined),
          )
        : undefined;
    if (refusedT) return refusedT;
    const p = view.topP();
    if (p !== undefined && p !== 1)
      return adjust(
        names.top_p,
        `${model} accepts only the default top_p`,
        "top_p_dropped",
        `top_p ${p} was dropped`,
        () => view.setTopP(undefined),
      );
  }
  return undefined;
}
