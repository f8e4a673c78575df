import type { SigninConfig } from "../config/schema-signin.js";
import type { SigninSession, SigninStore } from "../data/signin.js";
import type { Refusal, Resolver, Verdict } from "../identity/identify.js";
import type { Principal, Quota } from "../identity/principal.js";
import { policyFor } from "./policy.js";
import { ACCESS_PREFIX, digest } from "./tokens.js";

const refused = (message: string, s?: SigninSession): Refusal => ({
  refused: true,
  presented: true,
  message,
  ...(s ? { known: { name: `signin:${s.email}`, keyId: s.id, teamId: s.teamId ?? undefined, user: s.email } } : {}),
});

/** A signed-in person as a caller: their session, their team's bounds, their group's models. */
export function principalOf(cfg: SigninConfig, s: SigninSession): Principal | Refusal {
  const matched = policyFor(cfg, s.groups);
  if (!matched) return refused(`${s.email} is in no group that may use llmux; sign in again.`, s);
  const allow = [matched.policy.models, s.team?.models ?? undefined].filter((l): l is string[] => l !== undefined);
  const quotas: Quota[] = [];
  const q = s.team?.quota;
  if (s.teamId && q && (q.budget || q.limits))
    quotas.push({ scope: "team", id: s.teamId, budget: q.budget ?? undefined, limits: q.limits ?? undefined });
  return {
    owner: `signin:${s.subject}`,
    kind: "signin",
    name: `signin:${s.email}`,
    keyId: s.id,
    user: s.email,
    teamId: s.teamId ?? undefined,
    allow: allow.length > 0 ? allow : undefined,
    quotas: quotas.length > 0 ? quotas : undefined,
  };
}

/** How long a sign-in session read from the data layer is remembered (ms): a session ended elsewhere is refused after it. */
export const SIGNIN_SESSION_CACHE_MS = 1000;

/**
 * Access tokens (`lxs-…`) as callers. A token's session is read from the data layer and remembered for at most
 * `cacheMs` (default SIGNIN_SESSION_CACHE_MS, 1 s), so that a session ended on any instance is refused everywhere
 * within that time.
 */
export class SigninResolver implements Resolver {
  private readonly memory = new Map<string, { at: number; session: SigninSession | undefined }>();

  constructor(
    private readonly cfg: SigninConfig,
    private readonly store: SigninStore,
    private readonly cacheMs = SIGNIN_SESSION_CACHE_MS,
    private readonly now: () => number = Date.now,
  ) {}

  resolve(key: string | undefined): Verdict | Promise<Verdict> {
    if (key === undefined || !key.startsWith(ACCESS_PREFIX)) return undefined;
    return this.session(key).then((s) => this.verdict(s));
  }

  /** The live session of an access token, or why there is none. */
  async session(token: string): Promise<SigninSession | Refusal> {
    const hash = digest(token);
    const t = this.now();
    let m = this.memory.get(hash);
    if (!m || t - m.at > this.cacheMs) {
      if (this.memory.size > 10_000) this.memory.clear();
      m = { at: t, session: await this.store.byAccess(hash) };
      this.memory.set(hash, m);
    }
    const s = m.session;
    if (!s) return refused("The sign-in token is not valid (unknown or replaced); sign in again with /login.");
    if (s.revokedAt !== null) return refused("This sign-in was ended; sign in again with /login.", s);
    const nowS = Math.floor(t / 1000);
    if (s.accessExpiresAt <= nowS || s.expiresAt <= nowS) return refused("The sign-in token expired.", s);
    if (s.team?.disabled) return refused(`The team ${s.team.name} is disabled; ask your llmux administrator.`, s);
    return s;
  }

  /**
   * For a gateway that asks no key of its own: with sign-in on, a caller without a sign-in token (or a key
   * another resolver knows) is refused rather than served as `open`.
   */
  closed(): Resolver {
    return {
      resolve: (key) => ({
        refused: true,
        presented: key !== undefined,
        message: "Sign in to llmux with /login in Claude Code (or send an llmux key).",
      }),
    };
  }

  /** Forgets every remembered session (after a session was ended here). */
  forget(): void {
    this.memory.clear();
  }

  private verdict(s: SigninSession | Refusal): Verdict {
    return "refused" in s ? s : principalOf(this.cfg, s);
  }
}
