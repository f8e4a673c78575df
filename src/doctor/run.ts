/**
 * The doctor's run: every planned deployment examined (a few at a time), then each alias's own settings sent
 * as llmux sends them, gathered into one report.
 */
import { PriceTable } from "../billing/prices.js";
import type { Config } from "../config/schema.js";
import { Warnings } from "../ir/warnings.js";
import { capabilitiesOf } from "../models/capabilities.js";
import { applyAliasSettings, applyCapabilities } from "../models/policy.js";
import { irView } from "../models/settings-view.js";
import { createProviders } from "../providers/index.js";
import { createPool } from "../upstream/call.js";
import { upstreamWords } from "./classify.js";
import { Caller, examine } from "./examine.js";
import { estimate, hasSettings, makePlan, type Plan, type PlannedKind, settingsLimit } from "./plan.js";
import { basicRequest } from "./requests.js";
import type { AliasReport, CheckResult, DeploymentReport, KindReport, Report, Usage } from "./types.js";

/**
 * One tiny real call to an embedding, completion or rerank alias's first deployment, as llmux's own route for
 * that kind makes it (src/cli/doctor-kinds.ts: those routes stand above this room). What it found, and what
 * it sent (counted in the report's usage).
 */
export type KindProbe = (
  k: PlannedKind,
  ctx: { pool: ReturnType<typeof createPool>; prices: PriceTable; timeoutMs: number },
) => Promise<{ result: CheckResult; used: Usage }>;

export interface DoctorOptions {
  /** Only these model names (aliases, names a pattern matches, provider/model). */
  models?: readonly string[] | undefined;
  quick: boolean;
  /** Per request. */
  timeoutMs: number;
  /** Deployments examined at once. */
  concurrency?: number;
  /** How embedding, completion and rerank aliases are probed; without it they are skipped. */
  kindProbe?: KindProbe | undefined;
}

export interface Prepared {
  plan: Plan;
  prices: PriceTable;
  estimate: Report["estimate"];
}

/** What would be probed and what it would cost at most. Throws UnknownModel for a name not configured. */
export function prepareDoctor(config: Config, opts: DoctorOptions): Prepared {
  const providers = createProviders(config);
  const plan = makePlan(config, providers, opts.models, opts.kindProbe !== undefined);
  const prices = new PriceTable(config.prices);
  return { plan, prices, estimate: estimate(plan, prices, opts.quick) };
}

async function pooled<T, R>(items: T[], limit: number, fn: (item: T) => Promise<R>): Promise<R[]> {
  const out: R[] = new Array(items.length);
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const i = next++;
      out[i] = await fn(items[i]!);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return out;
}

function addUsage(into: Usage, u: Usage): void {
  into.requests += u.requests;
  into.input += u.input;
  into.output += u.output;
  into.nanos += u.nanos;
}

export async function runDoctor(config: Config, prepared: Prepared, opts: DoctorOptions): Promise<Report> {
  const { plan, prices } = prepared;
  const pool = createPool();
  const used: Usage = { requests: 0, input: 0, output: 0, nanos: 0 };
  try {
    const deployments = await pooled([...plan.deployments.values()], opts.concurrency ?? 3, (d) =>
      examine({
        pool,
        provider: d.provider,
        prices,
        quick: opts.quick,
        context: {
          provider: d.provider.name,
          config: config.providers[d.provider.name]!,
          model: d.model,
          aliases: d.aliases,
          timeoutMs: opts.timeoutMs,
        },
      }),
    );
    for (const d of deployments) addUsage(used, d.used);
    const probeKind = opts.kindProbe;
    const kinds: KindReport[] = probeKind
      ? await pooled(plan.kinds, opts.concurrency ?? 3, async (k) => {
          const r = await probeKind(k, { pool, prices, timeoutMs: opts.timeoutMs });
          addUsage(used, r.used);
          return { alias: k.alias, kind: k.kind, deployment: `${k.provider.name}/${k.model}`, result: r.result };
        })
      : [];
    const byId = new Map(deployments.map((d) => [d.id, d]));
    const aliases: AliasReport[] = [];
    for (const a of plan.aliases) {
      const first = byId.get(a.deployments[0]!)!;
      const settings = await aliasSettings(a, first, plan, config, prices, opts, pool, used);
      aliases.push({ alias: a.alias, deployments: a.deployments, settings });
    }
    const failed = (c: CheckResult) => c.mark === "fail";
    const ok =
      deployments.every((d) => !Object.values(d.checks).some(failed)) &&
      aliases.every((a) => !failed(a.settings)) &&
      kinds.every((k) => !failed(k.result));
    return {
      aliases,
      kinds,
      deployments,
      unused: plan.unused,
      skipped: plan.skipped,
      estimate: prepared.estimate,
      used,
      ok,
    };
  } finally {
    pool.close();
  }
}

/** The alias's own settings (effort, verbosity, thinking…) applied as llmux applies them, sent to its first deployment. */
async function aliasSettings(
  a: Plan["aliases"][number],
  first: DeploymentReport,
  plan: Plan,
  config: Config,
  prices: PriceTable,
  opts: DoctorOptions,
  pool: ReturnType<typeof createPool>,
  used: Usage,
): Promise<CheckResult> {
  if (!hasSettings(a.settings)) return { mark: "na", summary: "no settings of its own" };
  if (opts.quick) return { mark: "na", summary: "not probed (--quick)" };
  if (first.checks.model.mark !== "ok") return { mark: "na", summary: "not probed (its deployment fails)" };
  const d = plan.deployments.get(a.deployments[0]!)!;
  const req = basicRequest();
  const view = irView(req);
  applyAliasSettings(view, a.settings);
  req.maxOutputTokens = settingsLimit(a.settings);
  const warnings = new Warnings();
  const policy = a.settings.policy ?? config.defaults.policy;
  const refused = applyCapabilities(view, capabilitiesOf(d.model), d.model, policy, "openai-chat", warnings);
  if (refused) {
    return {
      mark: "fail",
      summary: "llmux refuses the alias's own settings (policy strict)",
      upstream: refused.message,
      fix: `change models.${a.alias} to a value the model accepts`,
    };
  }
  const caller = new Caller({
    pool,
    provider: d.provider,
    prices,
    quick: false,
    context: {
      provider: d.provider.name,
      config: config.providers[d.provider.name]!,
      model: d.model,
      aliases: [a.alias],
      timeoutMs: opts.timeoutMs,
    },
  });
  const o = await caller.call(req);
  addUsage(used, caller.used);
  if (!o.ok) {
    return {
      mark: "fail",
      summary: "the upstream refuses the alias's settings",
      upstream: upstreamWords(o),
      fix: `change the settings of models.${a.alias} (reasoning, verbosity, thinking, truncation, temperature, max_tokens)`,
    };
  }
  if (warnings.list.length > 0) {
    return {
      mark: "warn",
      summary: "accepted after llmux adjusted them",
      upstream: warnings.list.map((w) => w.message).join("; "),
      fix: `write the values llmux uses into models.${a.alias}`,
    };
  }
  return { mark: "ok", summary: "accepted as configured" };
}
