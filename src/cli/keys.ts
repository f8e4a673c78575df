import { ADMIN_OPTIONS, output, withClient } from "./admin-client.js";
import type { Command, CommandInput } from "./command.js";
import { UsageError } from "./command.js";
import { optList, optString } from "./values.js";

const COLUMNS = ["id", "prefix", "name", "user", "team_id", "models", "expires_at", "disabled"];

function credentials(input: CommandInput): Record<string, string> | undefined {
  const all = optList(input, "credential");
  if (!all) return undefined;
  const out: Record<string, string> = {};
  for (const c of all) {
    const eq = c.indexOf("=");
    // the value may be a bare secret: it is never echoed
    if (eq < 1)
      throw new UsageError(
        "--credential must be PROVIDER=SECRET (a provider name, '=', then the secret)",
        "keys create",
      );
    out[c.slice(0, eq)] = c.slice(eq + 1);
  }
  return out;
}

const fields = (input: CommandInput) => ({
  name: optString(input, "name"),
  team_id: optString(input, "team"),
  user: optString(input, "user"),
  models: optList(input, "model"),
  expires_at: optString(input, "expires"),
  credentials: credentials(input),
});

const KEY_OPTIONS = {
  ...ADMIN_OPTIONS,
  name: { type: "string" as const, value: "NAME", description: "What the key is for (required)." },
  team: { type: "string" as const, value: "ID", description: "The team that bounds the key." },
  user: { type: "string" as const, value: "LABEL", description: "Who holds the key." },
  model: {
    type: "string" as const,
    value: "GLOB",
    multiple: true,
    description: "An allowed model alias (globs; repeat for more).",
  },
  expires: { type: "string" as const, value: "TIME", description: "When the key stops working (ISO 8601)." },
  credential: {
    type: "string" as const,
    value: "PROVIDER=SECRET",
    multiple: true,
    description: "The key's own upstream secret for a provider (stored encrypted).",
  },
};

const ID = [{ name: "id", description: "The key's id (key_…)." }];

export const keysCommand: Command = {
  name: "keys",
  summary: "Mint, list, show, revoke and rotate keys.",
  subcommands: [
    {
      name: "create",
      summary: "Mint a key (its secret is printed once).",
      options: KEY_OPTIONS,
      examples: ["llmux keys create --name alice-laptop --user alice --team team_… --model 'gpt-*'"],
      run: (input) =>
        withClient(input, async (c) => {
          const f = fields(input);
          if (!f.name) throw new UsageError("--name is required", "keys create");
          const out = await c.call(
            "POST",
            "/admin/v1/keys",
            Object.fromEntries(Object.entries(f).filter(([, v]) => v !== undefined)),
          );
          output(input, out, ["id", "key", "name", "team_id", "models"]);
        }),
    },
    {
      name: "list",
      summary: "List keys (never their secrets).",
      options: { ...ADMIN_OPTIONS, team: { type: "string", value: "ID", description: "Only this team's keys." } },
      run: (input) =>
        withClient(input, async (c) => {
          const team = optString(input, "team");
          const out = (await c.call("GET", "/admin/v1/keys", undefined, team ? { team_id: team } : {})) as {
            data: unknown[];
          };
          output(input, input.values.json ? out : out.data, COLUMNS);
        }),
    },
    {
      name: "show",
      summary: "Show a key.",
      options: ADMIN_OPTIONS,
      arguments: ID,
      run: (input) =>
        withClient(input, async (c) => {
          output(input, await c.call("GET", `/admin/v1/keys/${encodeURIComponent(input.args[0]!)}`), [
            ...COLUMNS,
            "credentials",
          ]);
        }),
    },
    {
      name: "revoke",
      summary: "Revoke a key (refused everywhere within 2 s).",
      options: ADMIN_OPTIONS,
      arguments: ID,
      run: (input) =>
        withClient(input, async (c) => {
          output(input, await c.call("DELETE", `/admin/v1/keys/${encodeURIComponent(input.args[0]!)}`), [
            "id",
            "deleted",
          ]);
        }),
    },
    {
      name: "rotate",
      summary: "Give a key a new secret; the old one works --grace seconds more.",
      options: {
        ...ADMIN_OPTIONS,
        grace: { type: "string", value: "SECONDS", description: "Grace period (default 0)." },
      },
      arguments: ID,
      run: (input) =>
        withClient(input, async (c) => {
          const grace = Number(optString(input, "grace") ?? "0");
          if (!Number.isInteger(grace) || grace < 0)
            throw new UsageError("--grace must be a whole number of seconds", "keys rotate");
          const out = await c.call("POST", `/admin/v1/keys/${encodeURIComponent(input.args[0]!)}/rotate`, {
            grace_s: grace,
          });
          output(input, out, ["id", "key", "name"]);
        }),
    },
  ],
};
