/** What the doctor found, per deployment and per alias. */

/** ✓ works, ✗ fails (the run fails), ! works with a caveat, – not applicable, not supported or not probed. */
export type Mark = "ok" | "fail" | "warn" | "na";

export const CHECKS = ["reach", "auth", "model", "api", "stream", "tools", "reasoning", "images"] as const;
export type CheckName = (typeof CHECKS)[number];

export interface CheckResult {
  mark: Mark;
  /** One line: what was found. */
  summary: string;
  /** The upstream's own words (its error message), when it refused. */
  upstream?: string;
  /** The likely fix. */
  fix?: string;
}

/** How one reasoning setting fared: accepted, refused (with the upstream's words), or not known. */
export interface Sweep {
  setting: "effort" | "verbosity" | "thinking" | "summary";
  value: string;
  result: "accepted" | "refused" | "error";
  text?: string;
}

export interface ReasoningFindings {
  sweeps: Sweep[];
  /** Efforts / verbosities / thinking forms llmux's capability table allows for this model (absent: no row). */
  table: { efforts?: readonly string[]; verbosity?: readonly string[]; thinking?: readonly string[] };
  /** Reasoning output (parts or reasoning tokens) was seen in an accepted answer. */
  seen: boolean;
  /** Where the deployment and llmux's table disagree, in words. */
  differences: string[];
}

export interface Usage {
  requests: number;
  input: number;
  output: number;
  /** Nano-dollars at list prices (0 when the model has no price). */
  nanos: number;
}

export interface DeploymentReport {
  /** provider/model */
  id: string;
  provider: string;
  providerType: string;
  model: string;
  checks: Record<CheckName, CheckResult>;
  reasoning?: ReasoningFindings;
  used: Usage;
}

export interface AliasReport {
  alias: string;
  /** The deployment ids serving it, in order. */
  deployments: string[];
  /** The alias's own settings (effort, verbosity, thinking…) sent as llmux sends them. */
  settings: CheckResult;
}

/** An alias that is not a chat model (embeddings, fill-in-the-middle, rerank), probed with one tiny call. */
export interface KindReport {
  alias: string;
  kind: "embedding" | "completion" | "rerank";
  /** The deployment probed (its first): provider/model. */
  deployment: string;
  result: CheckResult;
}

export interface Report {
  aliases: AliasReport[];
  /** The embedding, completion and rerank aliases, one call each to their first deployment. */
  kinds: KindReport[];
  deployments: DeploymentReport[];
  /** Configured providers no probed alias uses. */
  unused: string[];
  /** Aliases that could not be probed (patterns without a model), with why. */
  skipped: { alias: string; why: string }[];
  estimate: Estimate;
  used: Usage;
  ok: boolean;
}

export interface Estimate {
  requests: number;
  input: number;
  output: number;
  /** Upper bound at list prices, nano-dollars. */
  nanos: number;
  /** Upstream models without a price (not counted). */
  unpriced: string[];
}
