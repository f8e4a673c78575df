import { budgetToEffort, effortToAnthropic, effortToBudget, isEffort } from "../ir/effort.js";
import { isObject } from "../ir/input-error.js";
import type { Dialect, Effort, JsonObject, Request } from "../ir/types.js";
import { claudeFacts } from "./claude.js";

/**
 * The few request settings that model aliases and capability rules read and write, over either an IR
 * request (translated path) or a raw body of one dialect (passthrough path), so the policy is written once.
 * A setter returns false when the shape has no such setting.
 */
export interface SettingsView {
  effort(): Effort | undefined;
  setEffort(e: Effort | undefined): boolean;
  summary(): string | null | undefined;
  setSummary(s: string | null): boolean;
  verbosity(): string | undefined;
  setVerbosity(v: string | undefined): boolean;
  truncation(): string | undefined;
  setTruncation(t: string | undefined): boolean;
  temperature(): number | undefined;
  setTemperature(t: number | undefined): void;
  topP(): number | undefined;
  setTopP(t: number | undefined): void;
  setMaxTokens(n: number): void;
  /** Claude thinking: budget (enabled) or adaptive. */
  setThinking(t: { type?: "enabled" | "adaptive" | "disabled"; budget?: number }): boolean;
  /**
   * The Claude thinking form of a raw Anthropic body (the translated path converts forms in the encoder,
   * so other views report none).
   */
  thinkingForm(): "enabled" | "adaptive" | undefined;
}

/**
 * A nested object of the body, to be written: a fresh copy, never the caller's object (a passthrough
 * body is a shallow copy of the client's, and only the top-level values that changed are re-serialised).
 */
function sub(body: JsonObject, key: string): JsonObject {
  const v = body[key];
  const o: JsonObject = isObject(v) ? { ...v } : {};
  body[key] = o;
  return o;
}

function num(v: unknown): number | undefined {
  return typeof v === "number" ? v : undefined;
}

/** Sets `obj[key]` to `v`, or removes it when `v` is undefined; true (the setting was applied). */
function put(obj: JsonObject, key: string, v: string | number | undefined): true {
  if (v === undefined) delete obj[key];
  else obj[key] = v;
  return true;
}

/** temperature and top_p: the same field names in all three dialects. */
function sampling(body: JsonObject): Pick<SettingsView, "temperature" | "setTemperature" | "topP" | "setTopP"> {
  const set = (key: string, v: number | undefined): void => {
    put(body, key, v);
  };
  return {
    temperature: () => num(body.temperature),
    setTemperature: (t) => set("temperature", t),
    topP: () => num(body.top_p),
    setTopP: (t) => set("top_p", t),
  };
}

export function irView(req: Request): SettingsView {
  return {
    effort: () =>
      req.reasoning?.effort ?? (req.reasoning?.budgetTokens ? budgetToEffort(req.reasoning.budgetTokens) : undefined),
    setEffort(e) {
      req.reasoning = { ...req.reasoning };
      if (e === undefined) delete req.reasoning.effort;
      else req.reasoning.effort = e;
      if (req.reasoning.mode === "enabled" && e)
        req.reasoning.budgetTokens = effortToBudget(e) ?? req.reasoning.budgetTokens;
      return true;
    },
    summary: () => req.reasoning?.summary,
    setSummary(s) {
      req.reasoning = { ...req.reasoning, summary: s };
      return true;
    },
    verbosity: () => req.verbosity,
    setVerbosity(v) {
      if (v === undefined) delete req.verbosity;
      else req.verbosity = v;
      return true;
    },
    truncation: () => req.truncation,
    setTruncation(t) {
      if (t === undefined) delete req.truncation;
      else req.truncation = t;
      return true;
    },
    temperature: () => req.temperature,
    setTemperature(t) {
      if (t === undefined) delete req.temperature;
      else req.temperature = t;
    },
    topP: () => req.topP,
    setTopP(t) {
      if (t === undefined) delete req.topP;
      else req.topP = t;
    },
    setMaxTokens(n) {
      req.maxOutputTokens = n;
    },
    thinkingForm: () => undefined,
    setThinking(t) {
      const r = { ...req.reasoning };
      if (t.type) r.mode = t.type;
      if (t.budget !== undefined) {
        r.mode = "enabled";
        r.budgetTokens = t.budget;
      }
      req.reasoning = r;
      return true;
    },
  };
}

function chatView(body: JsonObject): SettingsView {
  const maxField =
    body.max_tokens !== undefined && body.max_completion_tokens === undefined ? "max_tokens" : "max_completion_tokens";
  return {
    effort: () => (isEffort(body.reasoning_effort) ? body.reasoning_effort : undefined),
    setEffort: (e) => put(body, "reasoning_effort", e),
    summary: () => undefined,
    setSummary: () => false,
    verbosity: () => (typeof body.verbosity === "string" ? body.verbosity : undefined),
    setVerbosity: (v) => put(body, "verbosity", v),
    truncation: () => undefined,
    setTruncation: () => false,
    ...sampling(body),
    setMaxTokens(n) {
      body[maxField] = n;
    },
    setThinking: () => false,
    thinkingForm: () => undefined,
  };
}

function responsesView(body: JsonObject): SettingsView {
  return {
    effort: () => {
      const r = body.reasoning;
      return isObject(r) && isEffort(r.effort) ? r.effort : undefined;
    },
    setEffort: (e) => put(sub(body, "reasoning"), "effort", e),
    summary: () => {
      const r = body.reasoning;
      return isObject(r) && (typeof r.summary === "string" || r.summary === null)
        ? (r.summary as string | null)
        : undefined;
    },
    setSummary(s) {
      const r = sub(body, "reasoning");
      if (s === null || s === "none") delete r.summary;
      else r.summary = s;
      return true;
    },
    verbosity: () => {
      const t = body.text;
      return isObject(t) && typeof t.verbosity === "string" ? t.verbosity : undefined;
    },
    setVerbosity: (v) => put(sub(body, "text"), "verbosity", v),
    truncation: () => (typeof body.truncation === "string" ? body.truncation : undefined),
    setTruncation: (t) => put(body, "truncation", t),
    ...sampling(body),
    setMaxTokens(n) {
      body.max_output_tokens = Math.max(16, n);
    },
    setThinking: () => false,
    thinkingForm: () => undefined,
  };
}

function anthropicView(body: JsonObject): SettingsView {
  const model = typeof body.model === "string" ? body.model : "";
  const forms = claudeFacts(model).thinking;
  const ensureRoom = (budget: number) => {
    const max = num(body.max_tokens) ?? 0;
    if (max <= budget) body.max_tokens = budget + 4096;
    if (body.temperature !== undefined && body.temperature !== 1) delete body.temperature;
    delete body.top_k;
  };
  const view: SettingsView = {
    effort: () => {
      const oc = body.output_config;
      if (isObject(oc) && isEffort(oc.effort)) return oc.effort;
      const th = body.thinking;
      if (isObject(th) && typeof th.budget_tokens === "number") return budgetToEffort(th.budget_tokens);
      return undefined;
    },
    setEffort(e) {
      if (e === undefined) return true;
      if (e === "none") return view.setThinking({ type: "disabled" });
      if (forms.includes("adaptive") && !forms.includes("enabled")) {
        body.thinking = { type: "adaptive" };
        sub(body, "output_config").effort = effortToAnthropic(e) ?? "low";
        return true;
      }
      return view.setThinking({ budget: effortToBudget(e) ?? 16_000 });
    },
    summary: () => undefined,
    setSummary: () => false,
    verbosity: () => undefined,
    setVerbosity: () => false,
    truncation: () => undefined,
    setTruncation: () => false,
    ...sampling(body),
    setMaxTokens(n) {
      body.max_tokens = n;
      // The thinking budget must stay below max_tokens: lowered, or thinking turned off when there is no room.
      const th = body.thinking;
      if (isObject(th) && th.type === "enabled" && typeof th.budget_tokens === "number" && th.budget_tokens >= n) {
        if (n - 1 >= 1024) body.thinking = { ...th, budget_tokens: n - 1 };
        else body.thinking = { type: "disabled" };
      }
    },
    thinkingForm: () => {
      const th = body.thinking;
      return isObject(th) && (th.type === "enabled" || th.type === "adaptive") ? th.type : undefined;
    },
    setThinking(t) {
      if (t.type === "disabled") {
        body.thinking = { type: "disabled" };
        return true;
      }
      if (t.type === "adaptive" || (t.budget === undefined && forms.includes("adaptive"))) {
        body.thinking = { type: "adaptive" };
        return true;
      }
      const budget = t.budget ?? 16_000;
      body.thinking = { type: "enabled", budget_tokens: budget };
      ensureRoom(budget);
      return true;
    },
  };
  return view;
}

/** A settings view over a raw request body of `dialect`. */
export function bodyView(dialect: Dialect, body: JsonObject): SettingsView {
  switch (dialect) {
    case "openai-chat":
      return chatView(body);
    case "openai-responses":
      return responsesView(body);
    case "anthropic":
      return anthropicView(body);
    case "gemini":
      // Gemini requests are always translated (the URL, not the body, names the model and the stream).
      throw new Error("a Gemini body has no passthrough settings view");
  }
}
