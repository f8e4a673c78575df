import type { z } from "zod";
import type { AdminContext } from "./context.js";
import { checkDowngrade } from "./downgrade-check.js";
import { keyWithState, withState } from "./key-state.js";
import { changer, deleted } from "./repo-change.js";
import type { AdminModule, TeamScope } from "./route.js";
import * as S from "./schemas.js";
import { withSpendAll } from "./spend-views.js";

const tz = (d: AdminContext) => d.config.billing.timezone ?? "UTC";

/** Minted keys: mint, list (with their spend and state), show, change, revoke, rotate. */
export const admin: AdminModule<AdminContext> = {
  needs: [],
  routes(d) {
    const change = changer(() => d.changed());
    // A team admin's scope (src/admin/team-gate.ts): a key's team.
    const keyTeam: TeamScope = { of: async (id) => (await d.keys.get(id))?.team_id };
    return [
      {
        method: "POST",
        path: "/admin/v1/keys",
        summary: "Mint a key (the secret is in this answer only)",
        audit: { action: "key.create", target: "key" },
        body: S.KeyCreate,
        status: 201,
        answer: S.MintedKey,
        team: { body: true },
        run: ({ body }) => {
          checkDowngrade(body, d.config.models);
          return change(() => d.keys.create(body as z.infer<typeof S.KeyCreate>));
        },
      },
      {
        method: "GET",
        path: "/admin/v1/keys",
        summary: "List keys (never their secrets)",
        query: S.KeyListQuery,
        status: 200,
        answer: S.KeyList,
        team: {},
        run: async ({ query, scope }) => {
          const q = query as z.infer<typeof S.KeyListQuery>;
          const revoked = q.revoked === "true" ? "only" : q.revoked === "all" ? "all" : "no";
          if (scope?.teamId !== undefined && q.team_id !== undefined && q.team_id !== scope.teamId) return { data: [] };
          const keys = await d.keys.list({ teamId: scope?.teamId ?? q.team_id, revoked });
          if (!d.data) return { data: keys };
          const zone = tz(d);
          const spent = await withSpendAll(d.data, "key", keys, zone, d.config.billing.alert_at);
          return { data: await withState(d.data, d.teams, spent, zone, d.config.billing.alert_at) };
        },
      },
      {
        method: "GET",
        path: "/admin/v1/keys/{id}",
        summary: "Show a key",
        status: 200,
        answer: S.Key,
        byId: true,
        team: keyTeam,
        run: async ({ params }) => {
          const view = await d.keys.get(params.id!);
          if (!d.data || !view) return view;
          return keyWithState(d.data, d.teams, view, tz(d), d.config.billing.alert_at);
        },
      },
      {
        method: "PATCH",
        path: "/admin/v1/keys/{id}",
        summary: "Change a key (any create field, and disabled)",
        audit: { action: "key.update", target: "key", read: (id) => d.keys.get(id) },
        body: S.KeyPatch,
        status: 200,
        answer: S.Key,
        byId: true,
        team: { ...keyTeam, body: true },
        run: ({ params, body }) => {
          checkDowngrade(body, d.config.models);
          return change(() => d.keys.update(params.id!, body as z.infer<typeof S.KeyPatch>));
        },
      },
      {
        method: "DELETE",
        path: "/admin/v1/keys/{id}",
        summary: "Revoke a key, on every instance within 2 seconds",
        audit: { action: "key.revoke", target: "key", read: (id) => d.keys.get(id) },
        status: 200,
        answer: S.Deleted,
        byId: true,
        team: keyTeam,
        run: ({ params }) => change(() => d.keys.revoke(params.id!)).then(deleted(params.id!)),
      },
      {
        method: "POST",
        path: "/admin/v1/keys/{id}/rotate",
        summary: "Rotate a key: a new secret; the old one works grace_s more seconds",
        audit: { action: "key.rotate", target: "key", read: (id) => d.keys.get(id) },
        body: S.KeyRotate,
        status: 201,
        answer: S.RotatedKey,
        byId: true,
        team: keyTeam,
        run: ({ params, body }) =>
          change(() => d.keys.rotate(params.id!, (body as z.infer<typeof S.KeyRotate>).grace_s)),
      },
    ];
  },
};
