import type { z } from "zod";
import type { AdminContext } from "./context.js";
import { checkDowngrade } from "./downgrade-check.js";
import { changer, deleted } from "./repo-change.js";
import type { AdminModule, TeamScope } from "./route.js";
import * as S from "./schemas.js";
import { withSpendAll } from "./spend-views.js";

const tz = (d: AdminContext) => d.config.billing.timezone ?? "UTC";

/** Teams: create, list (with their spend), show, change, delete (their keys are revoked). */
export const admin: AdminModule<AdminContext> = {
  needs: [],
  routes(d) {
    const change = changer(() => d.changed());
    // A team admin's scope (src/admin/team-gate.ts): a team itself.
    const ownTeam: TeamScope = { of: async (id) => (await d.teams.get(id))?.id };
    return [
      {
        method: "POST",
        path: "/admin/v1/teams",
        summary: "Create a team",
        audit: { action: "team.create", target: "team" },
        body: S.TeamCreate,
        status: 201,
        answer: S.Team,
        run: ({ body }) => {
          checkDowngrade(body, d.config.models);
          return change(() => d.teams.create(body as z.infer<typeof S.TeamCreate>));
        },
      },
      {
        method: "GET",
        path: "/admin/v1/teams",
        summary: "List teams",
        status: 200,
        answer: S.TeamList,
        team: {},
        run: async ({ scope }) => {
          const teams = await d.teams.list({ id: scope?.teamId });
          return { data: d.data ? await withSpendAll(d.data, "team", teams, tz(d), d.config.billing.alert_at) : teams };
        },
      },
      {
        method: "GET",
        path: "/admin/v1/teams/{id}",
        summary: "Show a team",
        status: 200,
        answer: S.Team,
        byId: true,
        team: ownTeam,
        run: async ({ params }) => {
          const team = await d.teams.get(params.id!);
          return team && d.data
            ? (await withSpendAll(d.data, "team", [team], tz(d), d.config.billing.alert_at))[0]
            : team;
        },
      },
      {
        method: "PATCH",
        path: "/admin/v1/teams/{id}",
        summary: "Change a team",
        audit: { action: "team.update", target: "team", read: (id) => d.teams.get(id) },
        body: S.TeamPatch,
        status: 200,
        answer: S.Team,
        byId: true,
        run: ({ params, body }) => {
          checkDowngrade(body, d.config.models);
          return change(() => d.teams.update(params.id!, body as z.infer<typeof S.TeamPatch>));
        },
      },
      {
        method: "DELETE",
        path: "/admin/v1/teams/{id}",
        summary: "Delete a team (its keys are revoked)",
        audit: { action: "team.delete", target: "team", read: (id) => d.teams.get(id) },
        status: 200,
        answer: S.Deleted,
        byId: true,
        run: ({ params }) => change(() => d.teams.delete(params.id!)).then(deleted(params.id!)),
      },
    ];
  },
};
