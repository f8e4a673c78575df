/**
 * llmux's one money unit: integer nano-dollars (1 USD = 1,000,000,000), for costs, spend and budgets alike,
 * in the database and in the hot state. USD is only an edge form (the admin API, the CLI, log lines), made
 * from nanos by `usd` and back by `nanosOf`; sums are always taken in nanos, never in floating dollars.
 */
export const NANOS_PER_USD = 1_000_000_000;

/** Nano-dollars as a USD number for answers. */
export function usd(nanos: number): number {
  return nanos / NANOS_PER_USD;
}

/** USD (a budget, a price) as nano-dollars. */
export function nanosOf(usdAmount: number): number {
  return Math.round(usdAmount * NANOS_PER_USD);
}
