/**
 * The stats' latency and TTFT histogram bins, 10% wide, computed in the database the same way on both
 * engines (by the stats' queries over the rows and by the hourly rollup): percentiles read from them are
 * within 5% of the exact value.
 */
import { type RawBuilder, sql } from "./kysely.js";

/** Bins per e-fold: each bin is 10% wider than the last. */
const K = 1 / Math.log(1.1);

/** Bin b ≥ 1 holds [1.1^(b-1), 1.1^b) ms; bin 0 what is below 1 ms. */
export const binOfValue = (v: RawBuilder<unknown>) =>
  sql<number>`case when ${v} < 1 then 0 else cast(floor(ln(${v}) * ${sql.lit(K)}) as integer) + 1 end`;

/** The value a histogram bin stands for (its geometric middle, to 0.1 ms). */
export function binValue(bin: number): number {
  return bin === 0 ? 0.5 : Math.round(Math.exp((bin - 0.5) / K) * 10) / 10;
}
