/**
 * `llmux mcp`: MCP servers added, changed and removed through the admin API (on a running llmux with --url, or
 * on the store directly), and keys' and teams' own credentials for them. Secrets are given as NAME=VALUE and
 * never printed back.
 */
import { ADMIN_OPTIONS, type AdminClient, output, outputFields, withClient } from "./admin-client.js";
import type { Command, CommandInput, OptionSpec } from "./command.js";
import { stringOption, UsageError } from "./command.js";
import { keyIdOf, teamIdOf } from "./refs.js";
import { optFlag, optList, optString } from "./values.js";

/** `--env NAME=VALUE` (or `--header`), repeated, as a record; a value `-` (update only) removes the name. */
function pairs(input: CommandInput, option: string, command: string, removable: boolean) {
  const all = optList(input, option);
  if (!all) return undefined;
  const out: Record<string, string | null> = {};
  for (const p of all) {
    const eq = p.indexOf(option === "header" ? ":" : "=");
    // The value may be a secret: it is never echoed.
    if (eq < 1)
      throw new UsageError(
        option === "header" ? "--header must be NAME: VALUE" : `--${option} must be NAME=VALUE`,
        command,
      );
    const value = p.slice(eq + 1).trim();
    out[p.slice(0, eq).trim()] = removable && value === "-" ? null : value;
  }
  return out;
}

const SERVER_OPTIONS: Record<string, OptionSpec> = {
  ...ADMIN_OPTIONS,
  transport: stringOption("KIND", "stdio, http or sse (default: stdio with --command, http with --server-url)."),
  command: stringOption("PROGRAM", "stdio: the program llmux runs."),
  arg: {
    type: "string",
    value: "ARG",
    multiple: true,
    dashValue: true,
    description: "stdio: an argument of the program (repeat; it may start with a dash: --arg -y).",
  },
  cwd: stringOption("DIR", "stdio: its working directory."),
  env: {
    type: "string",
    value: "NAME=VALUE",
    multiple: true,
    description: "stdio: an environment value (stored encrypted; update: VALUE - removes it).",
  },
  "server-url": stringOption("URL", "http, sse: the MCP server's endpoint (--url is llmux's)."),
  header: {
    type: "string",
    value: "NAME: VALUE",
    multiple: true,
    description: "http, sse: a header (stored encrypted; update: VALUE - removes it).",
  },
  allow: {
    type: "string",
    value: "GLOB",
    multiple: true,
    description: "Tools offered (globs on the server's names; default: all).",
  },
  deny: { type: "string", value: "GLOB", multiple: true, description: "Tools never offered." },
  approval: {
    type: "string",
    value: "GLOB",
    multiple: true,
    description: "Tools refused as needing an administrator's approval.",
  },
  "timeout-ms": stringOption("MS", "How long a call may go without progress."),
  "own-credential": stringOption("optional|required", "required: keys without their own credential are refused."),
  "own-credential-field": {
    type: "string",
    value: "NAME",
    multiple: true,
    description: "An environment variable (stdio) or header (http, sse) keys' own credentials may set (repeat).",
  },
};

function serverBody(input: CommandInput, command: string, update: boolean): Record<string, unknown> {
  const timeout = optString(input, "timeout-ms");
  if (timeout !== undefined && !/^\d+$/.test(timeout)) throw new UsageError("--timeout-ms must be a number", command);
  const tools = { allow: optList(input, "allow"), deny: optList(input, "deny"), approval: optList(input, "approval") };
  const out: Record<string, unknown> = {
    transport: optString(input, "transport"),
    command: optString(input, "command"),
    args: optList(input, "arg"),
    cwd: optString(input, "cwd"),
    url: optString(input, "server-url"),
    env: pairs(input, "env", command, update),
    headers: pairs(input, "header", command, update),
    tools: Object.values(tools).some((v) => v !== undefined)
      ? Object.fromEntries(Object.entries(tools).filter(([, v]) => v !== undefined))
      : undefined,
    timeout_ms: timeout === undefined ? undefined : Number(timeout),
    own_credential: optString(input, "own-credential"),
    own_credential_fields: optList(input, "own-credential-field"),
  };
  return Object.fromEntries(Object.entries(out).filter(([, v]) => v !== undefined));
}

interface Settings {
  name: string;
  source: string;
  transport: string;
  command: string | null;
  args: string[] | null;
  url: string | null;
  env: Record<string, unknown>;
  headers: Record<string, unknown>;
  own_credential: string;
}

const FIELDS = ["name", "source", "transport", "target", "secrets", "own_credential"];
const row = (s: Settings) => ({
  name: s.name,
  source: s.source,
  transport: s.transport,
  target: s.command ? [s.command, ...(s.args ?? [])].join(" ") : s.url,
  secrets: [...Object.keys(s.env), ...Object.keys(s.headers)].map((n) => `${n} (set)`).join(", ") || "none",
  own_credential: s.own_credential,
});

const SERVER = [{ name: "server", description: "The MCP server's name." }];
const path = (name: string) => `/admin/v1/mcp/servers/${encodeURIComponent(name)}`;

/** Whose credential: --key or --team (names or ids), as the API's key_id or team_id. */
async function holder(c: AdminClient, input: CommandInput, command: string): Promise<Record<string, string>> {
  const key = optString(input, "key");
  const team = optString(input, "team");
  if ((key === undefined) === (team === undefined))
    throw new UsageError("give --key or --team (whose credential)", command);
  return key !== undefined ? { key_id: await keyIdOf(c, key) } : { team_id: await teamIdOf(c, team!) };
}

const HOLDER: Record<string, OptionSpec> = {
  ...ADMIN_OPTIONS,
  key: stringOption("KEY", "The key (its name or id) whose credential this is."),
  team: stringOption("TEAM", "Or the team (its name or id): for its keys without their own."),
};

const credentialsCommand: Command = {
  name: "credentials",
  summary: "Keys' and teams' own credentials for an MCP server (a developer's token).",
  subcommands: [
    {
      name: "set",
      summary: "Set a key's or a team's own credential for a server (stored encrypted).",
      options: {
        ...HOLDER,
        env: {
          type: "string",
          value: "NAME=VALUE",
          multiple: true,
          description: "stdio servers: an environment value.",
        },
        header: { type: "string", value: "NAME: VALUE", multiple: true, description: "http, sse servers: a header." },
      },
      arguments: SERVER,
      examples: [
        "llmux mcp credentials set github --key alice-laptop --env GITHUB_PERSONAL_ACCESS_TOKEN=ghp_…",
        "llmux mcp credentials set docs --team data --header 'Authorization: Bearer …'",
      ],
      run: (input) =>
        withClient(input, async (c) => {
          const body = {
            ...(await holder(c, input, "mcp credentials set")),
            env: pairs(input, "env", "mcp credentials set", false),
            headers: pairs(input, "header", "mcp credentials set", false),
          };
          const out = (await c.call("POST", `${path(input.args[0]!)}/credentials`, body)) as Settings;
          if (optFlag(input, "json")) return output(input, out, []);
          const names = [...Object.keys(out.env), ...Object.keys(out.headers)].join(", ");
          process.stdout.write(`Credential for ${input.args[0]} set (${names}); its values are stored encrypted.\n`);
        }),
    },
    {
      name: "list",
      summary: "Who holds an own credential for a server (never the values).",
      options: ADMIN_OPTIONS,
      arguments: SERVER,
      run: (input) =>
        withClient(input, async (c) => {
          const out = (await c.call("GET", `${path(input.args[0]!)}/credentials`)) as {
            data: { key_id: string | null; team_id: string | null; env: object; headers: object; updated_at: string }[];
          };
          const rows = out.data.map((d) => ({
            holder: d.key_id ?? d.team_id,
            secrets: [...Object.keys(d.env), ...Object.keys(d.headers)].join(", "),
            updated_at: d.updated_at,
          }));
          output(input, input.values.json ? out : rows, ["holder", "secrets", "updated_at"]);
        }),
    },
    {
      name: "remove",
      summary: "Remove a key's or a team's own credential for a server.",
      options: HOLDER,
      arguments: SERVER,
      run: (input) =>
        withClient(input, async (c) => {
          const who = await holder(c, input, "mcp credentials remove");
          const out = await c.call("DELETE", `${path(input.args[0]!)}/credentials`, undefined, who);
          if (optFlag(input, "json")) return output(input, out, []);
          process.stdout.write(`Credential for ${input.args[0]} removed.\n`);
        }),
    },
  ],
};

export const mcpCommand: Command = {
  name: "mcp",
  summary: "Add, list, change and remove MCP servers; keys' own credentials for them.",
  subcommands: [
    {
      name: "list",
      summary: "List the MCP servers (the configuration file's and the API's), their health and tools.",
      options: ADMIN_OPTIONS,
      run: (input) =>
        withClient(input, async (c) => {
          const out = (await c.call("GET", "/admin/v1/mcp/servers")) as {
            data: {
              name: string;
              source: string;
              transport: string;
              target: string;
              status: string;
              tools: unknown[];
            }[];
          };
          const rows = out.data.map((s) => ({ ...s, tools: s.tools.length }));
          output(input, input.values.json ? out : rows, ["name", "source", "transport", "target", "status", "tools"]);
        }),
    },
    {
      name: "show",
      summary: "Show a server's settings (which secrets are set, never their values).",
      options: ADMIN_OPTIONS,
      arguments: SERVER,
      run: (input) =>
        withClient(input, async (c) => {
          const out = (await c.call("GET", path(input.args[0]!))) as Settings;
          outputFields(input, out, row(out), FIELDS);
        }),
    },
    {
      name: "add",
      summary: "Add an MCP server (every instance serves it within 2 s).",
      options: SERVER_OPTIONS,
      arguments: SERVER,
      examples: [
        "llmux mcp add github --command npx --arg -y --arg @modelcontextprotocol/server-github --env GITHUB_PERSONAL_ACCESS_TOKEN=ghp_…",
        "llmux mcp add docs --server-url https://mcp.internal.example.com/mcp --header 'Authorization: Bearer …'",
      ],
      run: (input) =>
        withClient(input, async (c) => {
          const out = (await c.call("POST", "/admin/v1/mcp/servers", {
            name: input.args[0],
            ...serverBody(input, "mcp add", false),
          })) as Settings;
          outputFields(input, out, row(out), FIELDS);
        }),
    },
    {
      name: "update",
      summary: "Change a server: the settings given replace the stored ones; --env/--header change by name.",
      options: SERVER_OPTIONS,
      arguments: SERVER,
      examples: ["llmux mcp update github --deny 'delete_*' --env OLD_TOKEN=-"],
      run: (input) =>
        withClient(input, async (c) => {
          const body = serverBody(input, "mcp update", true);
          if (Object.keys(body).length === 0) throw new UsageError("give at least one setting to change", "mcp update");
          const out = (await c.call("PATCH", path(input.args[0]!), body)) as Settings;
          outputFields(input, out, row(out), FIELDS);
        }),
    },
    {
      name: "remove",
      summary: "Remove a server (and every key's credential for it).",
      options: ADMIN_OPTIONS,
      arguments: SERVER,
      run: (input) =>
        withClient(input, async (c) => {
          const out = await c.call("DELETE", path(input.args[0]!));
          if (optFlag(input, "json")) return output(input, out, []);
          process.stdout.write(`MCP server ${input.args[0]} removed.\n`);
        }),
    },
    credentialsCommand,
  ],
};
