import type { Principal } from "../identity/principal.js";
import type { ErrorInfo } from "../ir/types.js";
import type { Plan } from "./plan.js";
import type { RequestRecord } from "./record.js";

/** What the admit stage sees: who asks, for what, and how large the request is. */
export interface AdmitInput {
  readonly principal: Principal;
  readonly plan: Plan;
  /** The client's request body, in bytes (≈ 4 per input token, for a reservation). */
  readonly requestBytes: number;
  /** The request's tags (`key=value`, from the llmux-tags header): budgets and limits set on a tag apply. */
  readonly tags?: readonly string[] | undefined;
}

/**
 * Watches a streamed answer's generated text against what its budgets hold for it: within the reservation it
 * answers at once (true); past it, it reserves more, and answers false when the budget cannot cover more, so
 * the answer is ended there with `cut()`'s error.
 */
export interface Meter {
  output(chars: number): boolean | Promise<boolean>;
  /** The error the client is told when its answer was ended for its budget. */
  cut(): ErrorInfo;
}

/** Admitted: optionally with what to release once the request is settled (a reservation, a slot). */
export interface Admitted {
  readonly admitted: true;
  /** Present when a budget binds a streamed answer: the respond stage reports its output as it goes. */
  readonly meter?: Meter | undefined;
  /** Nano-dollars left of the tightest budget that applies, before this request (none: no budget applies). */
  readonly budgetRemainingNanos?: number | undefined;
  /** What the admission estimates the request costs, in nano-dollars (none: nothing was estimated). */
  readonly estimateNanos?: number | undefined;
  /**
   * The budget lease the request was admitted under (which instance's, at what time): its ledger row names it,
   * and its insert takes the row's cost off that lease (src/data/budget-leases.ts).
   */
  readonly lease?: { readonly holder: string; readonly at: number } | undefined;
  /**
   * Tells `listener` each time the request's estimate grows (its streamed answer passed what it held): what
   * it is billed at should its process die before it settles.
   */
  watchEstimate?(listener: (nanos: number) => void): void;
  /**
   * Called once by the settle stage with the settled request (its usage and cost known), or with nothing
   * when the request never went upstream (a later check refused it): what was taken is given back whole.
   */
  release?(rec: RequestRecord | undefined): void | Promise<void>;
}

/**
 * The admit stage: whether a planned request may go upstream now (allow-lists, limits, budgets). It refuses
 * with the error the client gets, in its dialect; it may be asynchronous (counters shared by many instances).
 */
export interface Admission {
  admit(input: AdmitInput): Admitted | ErrorInfo | Promise<Admitted | ErrorInfo>;
}

const ADMITTED: Admitted = { admitted: true };

/** Admits everything (no limits or budgets configured). */
export const admitAll: Admission = { admit: () => ADMITTED };

export function isAdmitted(v: Admitted | ErrorInfo): v is Admitted {
  return "admitted" in v;
}

/** Both admissions, in order: the second only when the first admitted; releases run in reverse. */
export function chainAdmissions(first: Admission | undefined, second: Admission): Admission {
  if (!first) return second;
  return {
    async admit(input) {
      const a = await first.admit(input);
      if (!isAdmitted(a)) return a;
      const b = await second.admit(input);
      if (!isAdmitted(b)) {
        await a.release?.(undefined);
        return b;
      }
      const meter = b.meter ?? a.meter;
      const left = [a.budgetRemainingNanos, b.budgetRemainingNanos].filter((x) => x !== undefined);
      const budgetRemainingNanos = left.length > 0 ? Math.min(...left) : undefined;
      const lease = b.lease ?? a.lease;
      if (!a.release && !b.release) return { ...b, ...(lease ? { lease } : {}), budgetRemainingNanos };
      return {
        admitted: true,
        ...(meter ? { meter } : {}),
        ...(lease ? { lease } : {}),
        estimateNanos: b.estimateNanos ?? a.estimateNanos,
        ...(b.watchEstimate
          ? { watchEstimate: b.watchEstimate }
          : a.watchEstimate
            ? { watchEstimate: a.watchEstimate }
            : {}),
        budgetRemainingNanos,
        release: async (rec) => {
          await b.release?.(rec);
          await a.release?.(rec);
        },
      };
    },
  };
}
