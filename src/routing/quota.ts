import type { HotState } from "../state/hot-state.js";
import { hotKeys } from "../state/keys.js";
import type { Deployment } from "./deployments.js";

const MINUTE = 60_000;

/** Whether a deployment declares a quota at all: without one, no state is touched. */
export function hasQuota(d: Deployment): boolean {
  return d.rpm !== undefined || d.tpm !== undefined || d.concurrency !== undefined;
}

/**
 * Claims one request of a deployment's declared quota: `rpm` and `tpm` are buckets that refill evenly
 * over a minute (GCRA on the hot state, so every instance shares them, as the key rate limits do). False
 * when the deployment is at its quota: the attempt loop passes it by instead of earning a 429. A request
 * takes one token of `tpm` when it is sent; the rest of its tokens are counted when it is over
 * (`spendTokens`), so the request that crosses the quota still goes.
 */
export async function claimQuota(hot: HotState, d: Deployment, now: number): Promise<boolean> {
  if (d.tpm !== undefined && !(await hot.throttle(hotKeys.tpm(d.id), 1, d.tpm, MINUTE, now)).ok) return false;
  if (d.rpm !== undefined) return (await hot.throttle(hotKeys.rpm(d.id), 1, d.rpm, MINUTE, now)).ok;
  return true;
}

/** Counts a finished request's tokens against the deployment's `tpm` (one was taken by its claim). */
export async function spendTokens(hot: HotState, d: Deployment, tokens: number, now: number): Promise<void> {
  if (d.tpm === undefined) return;
  const cost = Math.round(tokens) - 1;
  if (cost !== 0) await hot.throttle(hotKeys.tpm(d.id), cost, d.tpm, MINUTE, now, true);
}

/** What /admin/v1/deployments shows of a quota: how much of each bucket is taken now. */
export async function quotaUse(
  hot: HotState,
  d: Deployment,
  now: number,
): Promise<{ rpm_used: number | null; tpm_used: number | null }> {
  const used = async (key: string, limit: number | undefined) =>
    limit === undefined ? null : limit - (await hot.throttle(key, 0, limit, MINUTE, now)).remaining;
  const [r, t] = await Promise.all([used(hotKeys.rpm(d.id), d.rpm), used(hotKeys.tpm(d.id), d.tpm)]);
  return { rpm_used: r, tpm_used: t };
}
