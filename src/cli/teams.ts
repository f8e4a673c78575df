import { ADMIN_OPTIONS, output, withClient } from "./admin-client.js";
import type { Command } from "./command.js";
import { UsageError } from "./command.js";
import { optList, optString } from "./values.js";

const COLUMNS = ["id", "name", "models", "budget", "limits"];
const ID = [{ name: "id", description: "The team's id (team_…)." }];

export const teamsCommand: Command = {
  name: "teams",
  summary: "Create, list, show and delete teams.",
  subcommands: [
    {
      name: "create",
      summary: "Create a team.",
      options: {
        ...ADMIN_OPTIONS,
        name: { type: "string", value: "NAME", description: "The team's name (required)." },
        model: {
          type: "string",
          value: "GLOB",
          multiple: true,
          description: "An allowed model alias (repeat for more).",
        },
      },
      run: (input) =>
        withClient(input, async (c) => {
          const name = optString(input, "name");
          if (!name) throw new UsageError("--name is required", "teams create");
          const models = optList(input, "model");
          output(input, await c.call("POST", "/admin/v1/teams", { name, ...(models ? { models } : {}) }), COLUMNS);
        }),
    },
    {
      name: "list",
      summary: "List teams.",
      options: ADMIN_OPTIONS,
      run: (input) =>
        withClient(input, async (c) => {
          const out = (await c.call("GET", "/admin/v1/teams")) as { data: unknown[] };
          output(input, input.values.json ? out : out.data, COLUMNS);
        }),
    },
    {
      name: "show",
      summary: "Show a team.",
      options: ADMIN_OPTIONS,
      arguments: ID,
      run: (input) =>
        withClient(input, async (c) => {
          output(input, await c.call("GET", `/admin/v1/teams/${encodeURIComponent(input.args[0]!)}`), COLUMNS);
        }),
    },
    {
      name: "delete",
      summary: "Delete a team (its keys are revoked).",
      options: ADMIN_OPTIONS,
      arguments: ID,
      run: (input) =>
        withClient(input, async (c) => {
          output(input, await c.call("DELETE", `/admin/v1/teams/${encodeURIComponent(input.args[0]!)}`), [
            "id",
            "deleted",
          ]);
        }),
    },
  ],
};
