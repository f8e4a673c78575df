import type { Principal } from "../identity/principal.js";
import type { ErrorInfo } from "../ir/types.js";
import { type Admission, type Admitted, isAdmitted } from "../request/admission.js";
import type { Plan } from "../request/plan.js";

/**
 * The admit stage again for each fallback alias the attempt loop moves to: its allow-lists (the key's and
 * the team's) are checked against that alias, and what the first alias reserved is given back and reserved
 * again at the fallback's price. A fallback refused is not called; the loop goes on to the next.
 */
export class Readmission {
  private alias: string;
  private refused: ErrorInfo | undefined;

  constructor(
    first: Plan,
    private readonly admission: Admission,
    private readonly principal: Principal,
    private readonly requestBytes: number,
    /** What is admitted now (the trail's): read and replaced here. */
    private readonly held: { admitted?: Admitted | undefined },
  ) {
    this.alias = first.route.alias;
  }

  /** The plan, once its alias is admitted; or why it is not. */
  async admit(plan: Plan): Promise<Plan | ErrorInfo> {
    if (plan.route.alias === this.alias) return this.refused ?? plan;
    this.alias = plan.route.alias;
    this.refused = undefined;
    const before = this.held.admitted;
    this.held.admitted = undefined;
    await before?.release?.(undefined);
    const a = await this.admission.admit({ principal: this.principal, plan, requestBytes: this.requestBytes });
    if (isAdmitted(a)) {
      this.held.admitted = a;
      return plan;
    }
    this.refused = a;
    return a;
  }
}
