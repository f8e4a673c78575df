import { ADMIN_OPTIONS, output, outputFields, withClient } from "./admin-client.js";
import type { Command, CommandInput } from "./command.js";
import { UsageError } from "./command.js";
import { TEAM_COLUMNS, type TeamAnswer, teamRow } from "./key-table.js";
import { createQuota, patchQuota, QUOTA_OPTIONS, quotaFields } from "./quota-options.js";
import { deleteCommand, refCommand, showCommand } from "./refs.js";
import { teamCapsCommand } from "./team-caps.js";
import { optFlag, optString } from "./values.js";

const TEAM = [{ name: "team", description: "The team's name or id (team_…)." }];
const TEAM_OPTIONS = {
  ...ADMIN_OPTIONS,
  name: { type: "string" as const, value: "NAME", description: "The team's name (required to create)." },
  ...QUOTA_OPTIONS,
};

function body(input: CommandInput, command: string): Record<string, unknown> {
  const name = optString(input, "name");
  return { ...(name !== undefined ? { name } : {}), ...quotaFields(input, command) };
}

export const teamsCommand: Command = {
  name: "teams",
  summary: "Create, list, show, update and delete teams.",
  subcommands: [
    {
      name: "create",
      summary: "Create a team: its allow-list, budget and limits bound its keys.",
      options: TEAM_OPTIONS,
      examples: ["llmux teams create --name data --models 'claude-*,gpt-low' --budget 100/month --rpm 600"],
      run: (input) =>
        withClient(input, async (c) => {
          const b = body(input, "teams create");
          if (!b.name) throw new UsageError("--name is required", "teams create");
          const out = (await c.call("POST", "/admin/v1/teams", createQuota(b, "teams create"))) as TeamAnswer;
          outputFields(input, out, teamRow(out), TEAM_COLUMNS);
        }),
    },
    refCommand(
      "team",
      "update",
      "Change a team: any field create takes (limits given are merged with the team's).",
      TEAM,
      async (c, id, input) => {
        const b = body(input, "teams update");
        if (Object.keys(b).length === 0) throw new UsageError("give at least one field to change", "teams update");
        const path = `/admin/v1/teams/${encodeURIComponent(id)}`;
        const out = await patchQuota<TeamAnswer>(c, path, b, "teams update");
        // Its spend and what is left read as `teams show` reads them (the change answers the settings alone).
        const shown = optFlag(input, "json") ? out : ((await c.call("GET", path)) as TeamAnswer);
        outputFields(input, out, teamRow(shown), TEAM_COLUMNS);
      },
      {
        options: TEAM_OPTIONS,
        examples: [
          "llmux teams update data --budget 150/month",
          "llmux teams update data --models all",
          "llmux teams update data --downgrade-at 0.8 --downgrade-to gpt-low",
        ],
      },
    ),
    {
      name: "list",
      summary: "List teams: allow-list, spend against budget, what is left, reset time, limits.",
      options: ADMIN_OPTIONS,
      run: (input) =>
        withClient(input, async (c) => {
          const out = (await c.call("GET", "/admin/v1/teams")) as { data: TeamAnswer[] };
          output(input, input.values.json ? out : out.data.map(teamRow), TEAM_COLUMNS);
        }),
    },
    showCommand<TeamAnswer>("team", "Show a team.", TEAM, { row: teamRow, fields: TEAM_COLUMNS }),
    deleteCommand("team", "delete", "Delete a team (its keys are revoked).", TEAM, "deleted; its keys are revoked."),
    teamCapsCommand,
  ],
};
