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

  const effort = view.effort();
  if (effort && caps.efforts && !caps.efforts.includes(effort)) {
    const to = nearestEffort(effort, caps.efforts);
    const msg = `${model} does not accept reasoning effort '${effort}' (accepted: ${caps.efforts.join(", ")})`;
    if (policy === "strict") return refuse(names.effort, msg);
    view.setEffort(to);
    warnings.add("effort_clamped", `${msg}; '${to}' was used`, names.effort);
  }
  const verbosity = view.verbosity();
  if (verbosity && caps.verbosity && !caps.verbosity.includes(verbosity)) {
    const to = caps.verbosity[0]!;
    const msg = `${model} does not accept verbosity '${verbosity}' (accepted: ${caps.verbosity.join(", ")})`;
    if (policy === "strict") return refuse(names.verbosity, msg);
    view.setVerbosity(to);
    warnings.add("verbosity_clamped", `${msg}; '${to}' was used`, names.verbosity);
  }
  const truncation = view.truncation();
  if (truncation && caps.truncation && !caps.truncation.includes(truncation)) {
    const to = caps.truncation[0]!;
    const msg = `${model} does not accept truncation '${truncation}' (accepted: ${caps.truncation.join(", ")})`;
    if (policy === "strict") return refuse(names.truncation, msg);
    view.setTruncation(to);
    warnings.add("truncation_clamped", `${msg}; '${to}' was used`, names.truncation);
  }
  if (caps.sampling === false) {
    const t = view.temperature();
    if (t !== undefined && t !== 1) {
      const msg = `${model} accepts only the default temperature`;
      if (policy === "strict") return refuse(names.temperature, msg);
      view.setTemperature(undefined);
      warnings.add("temperature_dropped", `${msg}; temperature ${t} was dropped`, names.temperature);
    }
    const p = view.topP();
    if (p !== undefined && p !== 1) {
      const msg = `${model} accepts only the default top_p`;
      if (policy === "strict") return refuse(names.top_p, msg);
      view.setTopP(undefined);
      warnings.add("top_p_dropped", `${msg}; top_p ${p} was dropped`, names.top_p);
    }
  }
  return undefined;
}
