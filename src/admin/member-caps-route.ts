import type { z } from "zod";
import { MemberCapsStore } from "../data/member-caps.js";
import type { Given } from "./context.js";
import { checkCaps, MemberCapsAnswer, MemberCapsSchema } from "./member-caps.js";
import type { AdminModule, TeamScope } from "./route.js";

/**
 * A team's caps on the keys its members mint for themselves (/admin/v1/me/keys): shown, set and removed by a
 * full admin or the team's own admin (`llmux teams caps`, the web UI's team page).
 */
export const admin: AdminModule<Given<"data">> = {
  needs: ["data"],
  routes(d) {
    const store = new MemberCapsStore(d.data);
    const ownTeam: TeamScope = { of: async (id) => (await d.teams.get(id))?.id };
    const show = async (id: string) => {
      const team = await d.teams.get(id);
      if (!team) return undefined;
      return { team_id: team.id, team: team.name, caps: (await store.get(team.id)) ?? null };
    };
    return [
      {
        method: "GET",
        path: "/admin/v1/teams/{id}/member-caps",
        summary: "A team's caps on what its members mint for themselves (null: members mint nothing)",
        status: 200,
        answer: MemberCapsAnswer,
        byId: true,
        team: ownTeam,
        run: ({ params }) => show(params.id!),
      },
      {
        method: "POST",
        path: "/admin/v1/teams/{id}/member-caps",
        summary: "Set a team's member caps (replaced whole): members then mint their own keys within them",
        audit: { action: "team.member_caps", target: "team", read: show },
        body: MemberCapsSchema,
        status: 200,
        answer: MemberCapsAnswer,
        byId: true,
        team: ownTeam,
        run: async ({ params, body }) => {
          const team = await d.teams.get(params.id!);
          if (!team) return undefined;
          const caps = body as z.infer<typeof MemberCapsSchema>;
          checkCaps(caps, team);
          await store.set(team.id, caps);
          return show(team.id);
        },
      },
      {
        method: "DELETE",
        path: "/admin/v1/teams/{id}/member-caps",
        summary: "Remove a team's member caps: its members mint no more keys (the ones minted stay)",
        audit: { action: "team.member_caps", target: "team", read: show },
        status: 200,
        answer: MemberCapsAnswer,
        byId: true,
        team: ownTeam,
        run: async ({ params }) => {
          const team = await d.teams.get(params.id!);
          if (!team) return undefined;
          await store.set(team.id, null);
          return show(team.id);
        },
      },
    ];
  },
};
