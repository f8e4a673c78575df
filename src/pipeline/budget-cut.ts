import type { ErrorInfo } from "../ir/types.js";
import type { Meter } from "../request/admission.js";

/** An answer ended because its budget cannot cover more output: the client is told `info` in its stream. */
export class BudgetCut extends Error {
  constructor(readonly info: ErrorInfo) {
    super(info.message);
    this.name = "BudgetCut";
  }
}

/**
 * Reports a streamed answer's generated text so far to its budget meter; throws BudgetCut (ending the relay,
 * which closes the upstream call) when the budget cannot cover more. Synchronous while the reservation
 * covers the text (every chunk but the few that reserve more): a promise only when the meter must ask.
 */
export function meterOutput(meter: Meter, chars: number): Promise<void> | undefined {
  const ok = meter.output(chars);
  if (ok === true) return undefined;
  if (ok === false) throw new BudgetCut(meter.cut());
  return ok.then((fine) => {
    if (!fine) throw new BudgetCut(meter.cut());
  });
}
