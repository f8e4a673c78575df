/**
 * Which reasoning settings a deployment accepts — efforts (OpenAI-family, Gemini), verbosity, summaries,
 * Claude thinking forms — probed one by one, and compared with llmux's capability table.
 */
import type { ProviderConfig } from "../config/schema.js";
import { EFFORTS } from "../ir/effort.js";
import type { Dialect, Effort, Response, UpstreamDialect } from "../ir/types.js";
import { capabilitiesOf } from "../models/capabilities.js";
import type { RequestOptions } from "../translate/codecs.js";
import type { Outcome } from "./probe.js";
import { effortRequest, summaryRequest, thinkingRequest, verbosityRequest } from "./requests.js";
import type { CheckResult, ReasoningFindings, Sweep } from "./types.js";

const OPENAI_EFFORTS: readonly Effort[] = ["medium", "low", "high", "minimal", "none", "xhigh"];
const GEMINI_EFFORTS: readonly Effort[] = ["low", "high", "none"];
const VERBOSITIES = ["low", "medium", "high"] as const;
/** Efforts that reason least, for the other probes (cheap and quick). */
const CHEAP: readonly Effort[] = ["none", "minimal", "low", "medium"];

export type Call = (req: ReturnType<typeof effortRequest>, options?: RequestOptions) => Promise<Outcome>;

function reasoned(r: Response): boolean {
  return r.content.some((p) => p.type === "reasoning") || (r.usage?.reasoningTokens ?? 0) > 0;
}

function sweepOf(setting: Sweep["setting"], value: string, o: Outcome): Sweep {
  if (o.ok) return { setting, value, result: "accepted" };
  const status = o.status ?? o.error.status;
  const refused = status === 400 || status === 422;
  return { setting, value, result: refused ? "refused" : "error", text: `${status} ${o.error.message}` };
}

export interface SweepResult {
  findings: ReasoningFindings;
  check: CheckResult;
  /** The effort the other probes use: the cheapest the deployment accepts. */
  cheapEffort?: Effort | undefined;
}

/** Efforts, verbosities and thinking forms from least to most. */
const ORDER: readonly string[] = [...EFFORTS, "enabled", "adaptive"];
export const byStrength = (a: string, b: string) => ORDER.indexOf(a) - ORDER.indexOf(b);

const list = (xs: readonly string[]) => (xs.length > 0 ? [...xs].sort(byStrength).join(", ") : "none");

/** The dialect whose reasoning controls a deployment takes: Bedrock's Converse carries Claude's thinking. */
export function reasoningDialect(d: UpstreamDialect): Dialect {
  return d === "bedrock-converse" ? "anthropic" : d;
}

/** Runs the sweep for a deployment of `dialect` and judges it against llmux's table. */
export async function sweepReasoning(
  call: Call,
  dialect: Dialect,
  config: ProviderConfig,
  model: string,
): Promise<SweepResult> {
  const caps = capabilitiesOf(model);
  const sweeps: Sweep[] = [];
  let seen = false;
  const run = async (setting: Sweep["setting"], value: string, o: Promise<Outcome>) => {
    const out = await o;
    if (out.ok && reasoned(out.response)) seen = true;
    sweeps.push(sweepOf(setting, value, out));
  };
  const noSummary: RequestOptions = { defaultSummary: null };
  if (dialect === "anthropic") {
    for (const form of ["enabled", "adaptive"] as const) {
      await run("thinking", form, call(thinkingRequest(form), { thinkingForms: [form] }));
    }
  } else {
    const efforts = dialect === "gemini" ? GEMINI_EFFORTS : OPENAI_EFFORTS;
    for (const e of efforts) await run("effort", e, call(effortRequest(e), noSummary));
  }
  const accepted = (setting: Sweep["setting"]) =>
    sweeps.filter((s) => s.setting === setting && s.result === "accepted").map((s) => s.value);
  const cheapEffort = CHEAP.find((e) => accepted("effort").includes(e));
  const reasons = dialect !== "anthropic" && accepted("effort").length > 0;
  if (reasons && (config.type === "openai" || config.type === "azure")) {
    for (const v of VERBOSITIES) await run("verbosity", v, call(verbosityRequest(v, cheapEffort), noSummary));
  }
  if (reasons && dialect === "openai-responses") await run("summary", "auto", call(summaryRequest(cheapEffort)));
  const table = {
    ...(caps.efforts ? { efforts: caps.efforts } : {}),
    ...(caps.verbosity ? { verbosity: caps.verbosity } : {}),
    ...(caps.thinking ? { thinking: caps.thinking } : {}),
  };
  const findings: ReasoningFindings = { sweeps, table, seen, differences: [] };
  return { findings, check: judge(findings, dialect, model), cheapEffort };
}

/** ✓, ✗, ! or – for the reasoning column, and the differences from llmux's table. */
function judge(f: ReasoningFindings, dialect: Dialect, model: string): CheckResult {
  const of = (setting: Sweep["setting"], result: Sweep["result"]) =>
    f.sweeps.filter((s) => s.setting === setting && s.result === result);
  const main = dialect === "anthropic" ? "thinking" : "effort";
  const word = main === "thinking" ? "thinking forms" : "efforts";
  const accepted = of(main, "accepted").map((s) => s.value);
  const refused = of(main, "refused");
  const errors = of(main, "error");
  if (accepted.length === 0 && refused.length === 0) {
    return {
      mark: "fail",
      summary: "the reasoning probes failed",
      upstream: errors[0]?.text ?? "",
      fix: "see the upstream's message",
    };
  }
  if (accepted.length === 0) {
    return {
      mark: "na",
      summary: `the model takes no reasoning ${main === "thinking" ? "(thinking refused)" : "effort"}`,
      upstream: refused[0]?.text ?? "",
    };
  }
  let result: CheckResult = {
    mark: "ok",
    summary: `${word}: ${list(accepted)}${f.seen ? "" : " (no reasoning output seen)"}`,
  };
  const compare = (setting: Sweep["setting"], table: readonly string[] | undefined, label: string, fixKey: string) => {
    const ok = of(setting, "accepted").map((s) => s.value);
    const no = of(setting, "refused");
    if (ok.length === 0 && no.length === 0) return;
    if (table) {
      const wrong = no.filter((s) => table.includes(s.value));
      const extra = ok.filter((v) => !table.includes(v));
      if (wrong.length > 0) {
        f.differences.push(
          `llmux's table says ${model} accepts ${label} ${list(wrong.map((s) => s.value))}; this deployment refuses it`,
        );
        result = {
          mark: "fail",
          summary: `${label} ${list(wrong.map((s) => s.value))} refused, though llmux's table allows it`,
          upstream: wrong[0]!.text ?? "",
          fix: `set ${fixKey} on the aliases of this deployment to one it accepts (${list(ok)}): llmux would forward the refused value`,
        };
      }
      if (extra.length > 0)
        f.differences.push(
          `this deployment also accepts ${label} ${list(extra)}, which llmux's table does not allow (llmux adjusts it)`,
        );
    } else if (no.length > 0) {
      f.differences.push(
        `llmux's table has no row for '${model}': ${label} ${list(no.map((s) => s.value))} reach it as clients send them, and it refuses them`,
      );
      if (result.mark === "ok") {
        result = {
          mark: "warn",
          summary: `${label} ${list(no.map((s) => s.value))} refused (llmux's table has no row for '${model}')`,
          upstream: no[0]!.text ?? "",
          fix: `set ${fixKey} on the aliases of this deployment (it replaces what clients ask for), or name the deployment after its model (e.g. gpt-5-codex) so llmux's table applies`,
        };
      }
    }
  };
  if (main === "thinking") compare("thinking", f.table.thinking, "thinking", "thinking.type");
  else compare("effort", f.table.efforts, "effort", "reasoning.effort");
  compare("verbosity", f.table.verbosity, "verbosity", "verbosity");
  const summary = of("summary", "refused")[0];
  if (summary && result.mark === "ok") {
    result = {
      mark: "warn",
      summary: "reasoning summaries refused",
      upstream: summary.text ?? "",
      fix: "set reasoning: { summary: none } on the aliases of this deployment (llmux asks Responses upstreams for summaries by default)",
    };
  }
  return result;
}
