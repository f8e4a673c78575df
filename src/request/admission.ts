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
}

/** Admitted: optionally with what to release once the request is settled (a reservation, a slot). */
export interface Admitted {
  readonly admitted: true;
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
      if (!a.release && !b.release) return b;
      return {
        admitted: true,
        release: async (rec) => {
          await b.release?.(rec);
          await a.release?.(rec);
        },
      };
    },
  };
}
