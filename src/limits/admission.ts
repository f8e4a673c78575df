import { costOf } from "../billing/cost.js";
import type { Quota } from "../identity/principal.js";
import type { Dialect, ErrorInfo } from "../ir/types.js";
import { MAX_WEB_ROUNDS, webToolsHoldNanos } from "../ir/web-tools.js";
import { capabilitiesOf } from "../models/capabilities.js";
import type { Admission, AdmitInput, Admitted } from "../request/admission.js";
import { outcomeOf } from "../request/outcome.js";
import type { RequestRecord } from "../request/record.js";
import { usageOf } from "../request/record.js";
import type { Throttled } from "../state/hot-state.js";
import { hotKeys } from "../state/keys.js";
import { budgetMeter, meteredTokens, type Reservation, reserveBudget } from "./budget.js";
import { dataBook, memoryBook } from "./budget-book.js";
import { Escrow, type Held } from "./budget-escrow.js";
import type { LimitsDeps } from "./deps.js";
import { rateLimitHeaders } from "./headers.js";
import { OutputHistory } from "./output-history.js";

const SCOPE_WORD = { key: "API key", team: "team", user: "user", tag: "tag" } as const;

/** The principal's own quotas, its user's when `billing.users` names one, and those of the request's tags. */
function quotasOf(input: AdmitInput, deps: LimitsDeps): readonly Quota[] | undefined {
  const p = input.principal;
  const u = p.user !== undefined ? deps.users?.[p.user] : undefined;
  const tagged = (input.tags ?? []).flatMap((t) => {
    const q = deps.tags?.[t];
    return q ? [{ scope: "tag" as const, id: t, budget: q.budget, limits: q.limits }] : [];
  });
  if (!u && tagged.length === 0) return p.quotas;
  return [
    ...(p.quotas ?? []),
    ...(u ? [{ scope: "user" as const, id: p.user!, budget: u.budget, limits: u.limits }] : []),
    ...tagged,
  ];
}

const MINUTE = 60_000;
/**
 * Output tokens reserved for a request before anything is known of what its key produces with its model
 * (capped by its `max_tokens`); tpm reserves the same.
 */
const COLD_OUTPUT = 4096;
/** An answer the meter cannot follow (not streamed upstream) reserves its `max_tokens`, or this when it names none. */
const UNMETERED_OUTPUT = 32_768;

const ADMITTED: Admitted = { admitted: true };

interface Taken {
  undo(): Promise<void>;
  settle(rec: RequestRecord, costNanos: number): Promise<void>;
}

/** One check of the admit stage: what it took (to settle or give back), or why it refuses. */
interface Check {
  taken?: Taken;
  refused?: ErrorInfo;
  hold?: { q: Quota; held: Held };
  /** A budget's nano-dollars left before this request. */
  left?: number;
}

/** Gives units back to (negative) or takes more from a GCRA bucket, whatever it holds (a settlement). */
function give(deps: LimitsDeps, key: string, cost: number, limit: number): Promise<void> {
  if (cost === 0) return Promise.resolve();
  return deps.hot.throttle(key, cost, limit, MINUTE, (deps.now ?? Date.now)(), true).then(() => undefined);
}

function refusal(
  client: Dialect,
  kind: "rpm" | "tpm" | "concurrency",
  q: Quota,
  limit: number,
  r: Pick<Throttled, "remaining" | "retryMs" | "resetMs">,
): ErrorInfo {
  const what = kind === "rpm" ? "requests per minute" : kind === "tpm" ? "tokens per minute" : "concurrent requests";
  const seconds = Math.max(1, Math.ceil(r.retryMs / 1000));
  return {
    status: 429,
    kind: "rate_limit",
    code: "rate_limit_exceeded",
    message: `Rate limit reached: this ${SCOPE_WORD[q.scope]} may make ${limit} ${what}. Try again in ${seconds} s.`,
    retryAfter: String(seconds),
    headers: rateLimitHeaders(client, kind, limit, r.remaining, r.resetMs),
  };
}

/** How long a request that does not fit its budget only for others' holds waits for them, by default (ms). */
export const BUDGET_WAIT_MS = 3000;

/**
 * The admit stage's limits and budgets. Concurrency slots, rpm and tpm by GCRA (a token bucket refilling
 * evenly: no burst at a minute's edge) are on the hot state (memory, or Redis shared by every instance).
 * Budgets, on calendar windows, are kept by the data layer (budget-escrow.ts over src/data/budget-leases.ts;
 * this process's memory when there is none): each request holds the most it may cost before it goes
 * upstream and settles to its real cost after, so however many run at once nothing slips under the last
 * dollar, and no Redis fault changes a budget. Keys and teams each have their own quota; a request must fit
 * all that apply. Refusals roll back what was taken.
 */
export function limitsAdmission(deps: LimitsDeps): Admission & { readonly escrow: Escrow } {
  const now = deps.now ?? Date.now;
  const escrow = new Escrow(deps.data ? dataBook(deps.data) : memoryBook(), {
    waitMs: deps.budgetWaitMs ?? BUDGET_WAIT_MS,
    leaseMs: deps.budgetLeaseMs,
  });
  const history = new OutputHistory(deps.data);
  return {
    escrow,
    async admit(input: AdmitInput): Promise<Admitted | ErrorInfo> {
      const quotas = quotasOf(input, deps);
      if (!quotas) return ADMITTED;
      const { plan } = input;
      const t = now();
      const inTokens = Math.ceil(input.requestBytes / 4);
      const model = plan.route.upstreamModel;
      const who = input.principal.owner;
      const max = plan.maxOutputTokens;
      // A budget holds the request's estimate (what its key lately produces with this model, from the ledger,
      // as the meter counts it when the answer is metered: also what it is billed at should its process die
      // before it settles) with its worst covered (its
      // max_tokens, else the most its model may produce) while the budget has room for it: budget-escrow.ts.
      const metered = plan.upstreamStream;
      const worst = max ?? capabilitiesOf(model).maxOutputTokens ?? UNMETERED_OUTPUT;
      const known = history.estimate(who, model, input.principal.keyId);
      // An answer a budget meters: its usual length as its meter counts it (counted high: budget.ts meteredTokens).
      const meteredByBudget = metered && quotas.some((q) => q.budget);
      const usual = known === undefined ? COLD_OUTPUT : meteredByBudget ? meteredTokens(known) : known;
      const estTokens = inTokens + Math.min(max ?? COLD_OUTPUT, COLD_OUTPUT);
      const price = deps.billing.priceOf(plan.route.provider?.name, model);
      // Web tools llmux runs itself call the upstream again for each round, the conversation sent each time:
      // the request may cost up to that many calls (src/pipeline/web-tools-rounds.ts).
      const rounds = plan.web?.search || plan.web?.fetch ? MAX_WEB_ROUNDS : 1;
      const inputNanos = rounds * costOf({ inputTokens: inTokens, outputTokens: 0 }, price, t).nanos;
      const outputNanos = (out: number) => costOf({ inputTokens: 0, outputTokens: out }, price, t).nanos;
      // And each search and fetch they may run is priced by its provider: max_uses of each held on top.
      const webNanos = webToolsHoldNanos(plan.web);
      const estimateNanos = inputNanos + outputNanos(Math.min(worst, usual)) + webNanos;
      const res: Reservation = {
        nanos: estimateNanos,
        worst: inputNanos + rounds * outputNanos(worst) + webNanos,
        web: webNanos,
      };
      // Every check of every quota runs at once (one or two round trips to Redis, not one per check); what
      // was taken is given back when any of them refuses.
      const checks: Promise<Check>[] = [];
      for (const q of quotas) {
        const L = q.limits;
        const base = `${q.scope}:${q.id}`;
        if (L?.concurrency) {
          const conc = L.concurrency;
          const key = hotKeys.concurrency(q.scope, q.id);
          const release = () => deps.hot.incr(key, -1).then(() => undefined);
          checks.push(
            deps.hot.addWithin(key, 1, conc, 10 * MINUTE).then((r) =>
              r.ok
                ? { taken: { undo: release, settle: release } }
                : {
                    refused: refusal(plan.client, "concurrency", q, conc, {
                      remaining: 0,
                      retryMs: 1000,
                      resetMs: 1000,
                    }),
                  },
            ),
          );
        }
        if (L?.rpm) {
          const rpm = L.rpm;
          const key = hotKeys.rpm(base);
          checks.push(
            deps.hot
              .throttle(key, 1, rpm, MINUTE, t)
              .then((r) =>
                r.ok
                  ? { taken: { undo: () => give(deps, key, -1, rpm), settle: async () => undefined } }
                  : { refused: refusal(plan.client, "rpm", q, rpm, r) },
              ),
          );
        }
        if (L?.tpm) {
          const tpm = L.tpm;
          const amount = Math.min(estTokens, tpm);
          const key = hotKeys.tpm(base);
          checks.push(
            deps.hot.throttle(key, amount, tpm, MINUTE, t).then((r) =>
              r.ok
                ? {
                    taken: {
                      undo: () => give(deps, key, -amount, tpm),
                      settle: async (done: RequestRecord) => {
                        const u = usageOf(done);
                        await give(deps, key, u.inputTokens + u.outputTokens - amount, tpm);
                      },
                    },
                  }
                : { refused: refusal(plan.client, "tpm", q, tpm, r) },
            ),
          );
        }
        if (q.budget)
          checks.push(
            reserveBudget(deps, escrow, q, t, res).then((c) => {
              if (!c.held) return c;
              const held = c.held;
              return {
                hold: { q, held },
                left: c.left,
                taken: {
                  undo: async () => escrow.undo(held),
                  settle: async (done, cost) => escrow.settle(held, cost, done.keyId !== undefined),
                },
              };
            }),
          );
      }
      const results = await Promise.all(checks);
      const taken = results.flatMap((r) => (r.taken ? [r.taken] : []));
      const refused = results.find((r) => r.refused)?.refused;
      if (refused) {
        await Promise.all(taken.map((x) => x.undo().catch(() => undefined)));
        return refused;
      }
      const left = results.flatMap((r) => (r.left !== undefined ? [r.left] : []));
      const budgetRemainingNanos = left.length > 0 ? Math.min(...left) : undefined;
      if (taken.length === 0) return { admitted: true, estimateNanos };
      const holds = results.flatMap((r) => (r.hold ? [r.hold] : []));
      const perOutputToken = outputNanos(1_000_000) / 1e6;
      let listener: ((nanos: number) => void) | undefined;
      const meter =
        metered && holds.length > 0 && perOutputToken > 0
          ? budgetMeter(
              escrow,
              holds,
              res,
              {
                inputNanos,
                perOutputToken,
                stepNanos: Math.max(res.nanos - inputNanos, Math.ceil(1024 * perOutputToken)),
                maxTokens: max,
              },
              (nanos) => listener?.(nanos),
            )
          : undefined;
      // One literal, its absent parts undefined: conditional spreads (`...(meter ? { meter } : {})`) are
      // copied on V8's slow path, on every admitted request.
      return {
        admitted: true,
        meter,
        lease: holds.length > 0 ? { holder: escrow.holder, at: t } : undefined,
        watchEstimate: meter
          ? (l: (nanos: number) => void) => {
              listener = l;
            }
          : undefined,
        budgetRemainingNanos,
        estimateNanos,
        release: async (done: RequestRecord | undefined) => {
          if (!done) {
            await Promise.all(taken.map((x) => x.undo().catch(() => undefined)));
            return;
          }
          if (outcomeOf(done) === "ok" && done.usage && !done.usagePartial)
            history.note(who, model, done.usage.outputTokens);
          const cost = deps.billing.cost(done).nanos;
          await Promise.all(taken.map((x) => x.settle(done, cost).catch(() => undefined)));
        },
      };
    },
  };
}
