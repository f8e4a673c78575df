import type { z } from "zod";
import type { KeyView } from "../data/keys.js";
import { type MemberCaps, MemberCapsStore } from "../data/member-caps.js";
import { usd } from "../data/money.js";
import type { Team } from "../data/teams.js";
import type { Given } from "./context.js";
import { withState } from "./key-state.js";
import { MeKeyCreate, mintWithin, namedMember } from "./member-caps.js";
import { changer, deleted } from "./repo-change.js";
import { AdminError, type AdminModule, type Member, type RouteInput } from "./route.js";
import * as S from "./schemas.js";
import { withSpendAll } from "./spend-views.js";

/** The member signed in (a /login sign-in token, or the web UI's single sign-on). */
function memberOf(input: RouteInput): Member {
  const m = input.self?.member;
  if (!m)
    throw new AdminError(
      403,
      "your own keys are minted by a person signed in (llmux login, /login in Claude Code, or the web UI's single sign-on), not with a key",
    );
  return m;
}

/**
 * Self-service keys (/admin/v1/me/keys): a member signed in mints, lists and revokes their own keys, within
 * the caps their team admin set (src/admin/member-caps.ts). Their keys count into the team's budget as any.
 */
export const admin: AdminModule<Given<"data">> = {
  needs: ["data"],
  routes(d) {
    const store = new MemberCapsStore(d.data);
    const change = changer(() => d.changed());
    const zone = d.config.billing.timezone ?? "UTC";

    /** The member's team and its caps; a member of no team, or of one without caps, mints nothing. */
    const teamOf = async (m: Member): Promise<{ team: Team; caps: MemberCaps | undefined }> => {
      if (m.teamId) {
        const team = await d.teams.get(m.teamId);
        if (team) return { team, caps: await store.get(team.id) };
      } else
        for (const { teamId, caps } of await store.all())
          if (namedMember(caps, m.email, m.groups)) {
            const team = await d.teams.get(teamId);
            if (team) return { team, caps };
          }
      throw new AdminError(
        403,
        `${m.email} is a member of no team: a team admin names you in member_caps.members (llmux teams caps), or signin.groups gives your group a team`,
      );
    };
    const own = async (m: Member, team: Team): Promise<KeyView[]> => {
      const ids = await store.keysOf(team.id, m.email);
      const keys = await Promise.all(ids.map((id) => d.keys.get(id)));
      return keys.filter((k): k is KeyView => k !== undefined);
    };

    return [
      {
        method: "GET",
        path: "/admin/v1/me/keys",
        summary: "The signed-in member's own keys (never their secrets)",
        auth: "self",
        status: 200,
        answer: S.KeyList,
        run: async (input) => {
          const m = memberOf(input);
          const { team } = await teamOf(m);
          const keys = await own(m, team);
          const spent = await withSpendAll(d.data, "key", keys, zone, d.config.billing.alert_at);
          return { data: await withState(d.data, d.teams, spent, zone, d.config.billing.alert_at) };
        },
      },
      {
        method: "POST",
        path: "/admin/v1/me/keys",
        summary: "Mint a key of your own, within your team's member caps (the secret is in this answer only)",
        auth: "self",
        audit: { action: "key.create", target: "key" },
        body: MeKeyCreate,
        status: 201,
        answer: S.MintedKey,
        run: async (input) => {
          const m = memberOf(input);
          const { team, caps } = await teamOf(m);
          if (!caps)
            throw new AdminError(
              403,
              `team ${team.name} sets no member caps: members mint no keys of their own until a team admin sets them (llmux teams caps ${team.name} …)`,
            );
          if (team.disabled) throw new AdminError(403, `team ${team.name} is disabled`);
          const keys = await own(m, team);
          const held = { keys: keys.length, budget_usd: keys.reduce((sum, k) => sum + (k.budget?.usd ?? 0), 0) };
          const ask = input.body as z.infer<typeof MeKeyCreate>;
          const now = Date.now();
          const key = mintWithin(ask, caps, team, held, m.email, now);
          // Checked again in the minting transaction, on what the member holds then (another mint of theirs at
          // the same moment counts): the key is theirs only within the caps.
          return change(() =>
            d.keys.create(key, (tx, keyId) =>
              store.ownWithin(tx, keyId, team.id, m.email, (h) => {
                mintWithin(ask, caps, team, { keys: h.keys, budget_usd: usd(h.budgetNanos) }, m.email, now);
              }),
            ),
          );
        },
      },
      {
        method: "DELETE",
        path: "/admin/v1/me/keys/{id}",
        summary: "Revoke one of your own keys (another's id: 404)",
        auth: "self",
        audit: { action: "key.revoke", target: "key", read: (id) => d.keys.get(id) },
        status: 200,
        answer: S.Deleted,
        byId: true,
        run: async (input) => {
          const m = memberOf(input);
          const id = input.params.id!;
          const owner = await store.ownerOf(id);
          if (!owner || owner.member !== m.email.toLowerCase()) return undefined;
          return change(() => d.keys.revoke(id)).then(deleted(id));
        },
      },
    ];
  },
};
