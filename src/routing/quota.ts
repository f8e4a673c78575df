import { slide } from "../limits/sliding.js";
import type { HotState } from "../state/hot-state.js";
import type { Deployment } from "./deployments.js";

const MINUTE = 60_000;

/** Whether a deployment declares a quota at all: without one, no state is touched. */
export function hasQuota(d: Deployment): boolean {
  return d.rpm !== undefined || d.tpm !== undefined;
}

/**
 * Claims one request of a deployment's declared quota (`rpm`, `tpm`; sliding one-minute windows on the
 * hot state, so every instance shares them). False when the deployment is at its quota: the attempt loop
 * passes it by instead of earning a 429. `tpm` is checked against the tokens already counted; the
 * request's own tokens are counted when it is over (`spendTokens`).
 */
export async function claimQuota(hot: HotState, d: Deployment, now: number): Promise<boolean> {
  if (d.tpm !== undefined) {
    const t = await slide(hot, `tpm:${d.id}`, 0, d.tpm - 1, MINUTE, now);
    if (!t.ok) return false;
  }
  if (d.rpm !== undefined) return (await slide(hot, `rpm:${d.id}`, 1, d.rpm, MINUTE, now)).ok;
  return true;
}

/** Counts a finished request's tokens against the deployment's `tpm`. */
export async function spendTokens(hot: HotState, d: Deployment, tokens: number, now: number): Promise<void> {
  if (d.tpm === undefined || tokens <= 0) return;
  await hot.incr(`tpm:${d.id}:${Math.floor(now / MINUTE)}`, Math.round(tokens), MINUTE * 2);
}

/** What /admin/v1/deployments shows of a quota: requests and tokens counted in the current minute. */
export async function quotaUse(
  hot: HotState,
  d: Deployment,
  now: number,
): Promise<{ minute_requests: number | null; minute_tokens: number | null }> {
  const cur = Math.floor(now / MINUTE);
  const [r, t] = await Promise.all([
    d.rpm === undefined ? null : hot.count(`rpm:${d.id}:${cur}`),
    d.tpm === undefined ? null : hot.count(`tpm:${d.id}:${cur}`),
  ]);
  return { minute_requests: r, minute_tokens: t };
}
