import type { BodyLimits } from "../http/read-body.js";
import { type Identifier, isRefusal } from "../identity/identify.js";
import type { Principal } from "../identity/principal.js";
import type { Accepted } from "../request/route.js";
import type { Exchange } from "./exchange.js";
import { refuse } from "./refuse.js";

/** What kind of caller a principal is, in words for the debug log. */
const CALLER_WORDS: Record<Principal["kind"], string> = {
  open: "no key required",
  config: "service key",
  passthrough: "pass-through: its own upstream key",
  minted: "minted key",
  signin: "signed in from Claude Code",
};

/**
 * The identify stage: who calls, from the request's headers alone (no body byte is read before a caller is
 * known). A caller turned away is answered here (401, or the 403 Cursor can show) and undefined returned.
 */
export async function identify(
  ex: Exchange,
  accepted: Accepted,
  identifier: Identifier,
  opts: { cursorDetect: "auto" | "always" | "never"; limits: BodyLimits },
): Promise<Principal | undefined> {
  const principal = await identifier.identify(ex.req.headers);
  if (isRefusal(principal)) {
    ex.trail.answer.reason = principal.message;
    ex.trail.refusedKey = principal.known;
    await refuse(ex, accepted, principal, opts);
    return undefined;
  }
  for (const secret of principal.credentials?.values() ?? []) ex.trail.capture?.secret(secret);
  ex.trail.decide(() => `caller ${principal.name ?? principal.owner} (${CALLER_WORDS[principal.kind]})`);
  return principal;
}
