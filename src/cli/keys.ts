import { resolveConfig } from "../config/resolve.js";
import { ADMIN_OPTIONS, output, outputFields, withClient } from "./admin-client.js";
import type { Command, CommandInput } from "./command.js";
import { stringOption, UsageError } from "./command.js";
import { KEY_COLUMNS, KEY_FIELDS, type KeyAnswer, keyRow } from "./key-table.js";
import { createQuota, expiryOf, patchQuota, QUOTA_OPTIONS, quotaFields } from "./quota-options.js";
import { deleteCommand, keyIdOf, refCommand, showCommand, teamIdOf } from "./refs.js";
import { optFlag, optList, optString } from "./values.js";

function credentials(input: CommandInput, command: string): Record<string, string> | undefined {
  const all = optList(input, "credential");
  if (!all) return undefined;
  const out: Record<string, string> = {};
  for (const c of all) {
    const eq = c.indexOf("=");
    // the value may be a bare secret: it is never echoed
    if (eq < 1)
      throw new UsageError("--credential must be PROVIDER=SECRET (a provider name, '=', then the secret)", command);
    out[c.slice(0, eq)] = c.slice(eq + 1);
  }
  return out;
}

const KEY_OPTIONS = {
  ...ADMIN_OPTIONS,
  name: { type: "string" as const, value: "NAME", description: "What the key is for (required to create)." },
  team: { type: "string" as const, value: "TEAM", description: "The team that bounds the key (its name or id)." },
  user: { type: "string" as const, value: "LABEL", description: "Who holds the key." },
  ...QUOTA_OPTIONS,
  expires: {
    type: "string" as const,
    value: "DATE",
    description: "When the key stops working: a date (2027-01-01), an ISO time, or never.",
  },
  credential: {
    type: "string" as const,
    value: "PROVIDER=SECRET",
    multiple: true,
    description: "The key's own upstream secret for a provider (stored encrypted).",
  },
};

const KEY = [{ name: "key", description: "The key's name or id (key_…)." }];

/** The body of a create or update: every field given on the command line, names turned into ids. */
async function body(
  input: CommandInput,
  command: string,
  c: Parameters<Parameters<typeof withClient>[1]>[0],
): Promise<Record<string, unknown>> {
  const team = optString(input, "team");
  const out: Record<string, unknown> = {
    name: optString(input, "name"),
    team_id: team === undefined ? undefined : team === "none" ? null : await teamIdOf(c, team),
    user: optString(input, "user"),
    expires_at: expiryOf(optString(input, "expires"), command),
    credentials: credentials(input, command),
    ...quotaFields(input, command),
  };
  return Object.fromEntries(Object.entries(out).filter(([, v]) => v !== undefined));
}

const PLACEHOLDER = "https://LLMUX-ADDRESS";
const NOT_PUBLIC = new Set(["127.0.0.1", "::1", "localhost", "0.0.0.0", "::", ""]);

/**
 * The address a developer's launcher should call for a key made here: `--url`, `$LLMUX_URL`, sign-in's
 * `public_url`, or the configured server address when it is one a laptop could reach; otherwise a
 * placeholder to fill (`known: false`). Never left out: a launcher without `--url` starts an llmux of its own.
 */
export function gatewayAddress(input: CommandInput): { url: string; known: boolean } {
  const given = optString(input, "url") ?? (input.env.LLMUX_URL || undefined);
  if (given) return { url: given.replace(/\/+$/, ""), known: true };
  const { config } = resolveConfig({ config: optString(input, "config") }, input.env);
  if (config.signin?.public_url) return { url: config.signin.public_url.replace(/\/+$/, ""), known: true };
  const host = config.server.host;
  if (NOT_PUBLIC.has(host)) return { url: PLACEHOLDER, known: false };
  const scheme = config.server.tls ? "https" : "http";
  return { url: `${scheme}://${host.includes(":") ? `[${host}]` : host}:${config.server.port}`, known: true };
}

/** What a launcher needs to use a new key, ready to paste. */
function shownOnce(k: KeyAnswer & { key: string }, at: { url: string; known: boolean }): string {
  const base = ` --url ${at.url}`;
  return [
    `Key ${k.name} (${k.id}) created. Its secret is shown once; llmux keeps only its hash:`,
    "",
    `  ${k.key}`,
    "",
    "On the developer's laptop, once (every launcher and llmux env then use it; no llmux starts there):",
    "",
    `  llmux login ${at.url} --key ${k.key}`,
    "",
    "Or per shell (the launchers read LLMUX_KEY):",
    "",
    `  export LLMUX_KEY=${k.key}`,
    `  llmux claude${base}        # or: llmux codex${base}`,
    "",
    ...(at.known
      ? []
      : [
          `Replace ${PLACEHOLDER} with the address developers reach this llmux on (give it here with --url or`,
          "$LLMUX_URL). Without --url a launcher starts an llmux of its own, which does not know this key.",
          "",
        ]),
  ].join("\n");
}

const setDisabled = (disabled: boolean): Command => ({
  name: disabled ? "disable" : "enable",
  summary: disabled ? "Disable a key (refused until enabled again)." : "Enable a disabled key.",
  options: ADMIN_OPTIONS,
  arguments: KEY,
  run: (input) =>
    withClient(input, async (c) => {
      const id = await keyIdOf(c, input.args[0]!);
      const out = (await c.call("PATCH", `/admin/v1/keys/${encodeURIComponent(id)}`, { disabled })) as KeyAnswer;
      if (optFlag(input, "json")) return output(input, out, []);
      process.stdout.write(`Key ${out.name} (${out.id}) ${disabled ? "disabled" : "enabled"}.\n`);
    }),
});

export const keysCommand: Command = {
  name: "keys",
  summary: "Mint, list, show, update, disable, enable, revoke and rotate keys.",
  subcommands: [
    {
      name: "create",
      summary: "Mint a key (its secret is printed once).",
      options: KEY_OPTIONS,
      examples: [
        "llmux keys create --name alice-laptop --user alice --team data --budget 20/month --rpm 60 --expires 2027-01-01",
        "llmux keys create --name ci --models 'claude-*,gpt-low' --concurrency 4",
        "llmux keys create --name bob --budget 50/month --downgrade-at 0.8 --downgrade-to gpt-low",
      ],
      run: (input) =>
        withClient(input, async (c) => {
          const b = await body(input, "keys create", c);
          if (!b.name) throw new UsageError("--name is required", "keys create");
          const out = (await c.call("POST", "/admin/v1/keys", createQuota(b, "keys create"))) as KeyAnswer & {
            key: string;
          };
          if (optFlag(input, "json")) return output(input, out, []);
          process.stdout.write(shownOnce(out, gatewayAddress(input)));
        }),
    },
    refCommand(
      "key",
      "update",
      "Change a key: any field create takes (limits given are merged with the key's).",
      KEY,
      async (c, id, input) => {
        const b = await body(input, "keys update", c);
        if (Object.keys(b).length === 0) throw new UsageError("give at least one field to change", "keys update");
        const path = `/admin/v1/keys/${encodeURIComponent(id)}`;
        const out = await patchQuota<KeyAnswer>(c, path, b, "keys update");
        // The change answers the key's settings; its spend, what is left and whether it is now blocked are read
        // as `keys show` reads them (the table once showed $0 spent, never used, after any change).
        const shown = optFlag(input, "json") ? out : ((await c.call("GET", path)) as KeyAnswer);
        outputFields(input, out, keyRow(shown), KEY_FIELDS);
      },
      {
        options: KEY_OPTIONS,
        examples: [
          "llmux keys update alice-laptop --budget 50/month --tpm 200000",
          "llmux keys update ci --models all",
          "llmux keys update alice-laptop --downgrade-at 80% --downgrade-to claude-haiku",
        ],
      },
    ),
    {
      name: "list",
      summary: "List keys: state, spend against budget, what is left, reset time, limits, last use.",
      options: {
        ...ADMIN_OPTIONS,
        team: stringOption("TEAM", "Only this team's keys (its name or id)."),
        revoked: { type: "boolean", description: "Only revoked keys (they keep their names)." },
        all: { type: "boolean", description: "Keys in use and revoked ones." },
      },
      run: (input) =>
        withClient(input, async (c) => {
          const team = optString(input, "team");
          const query: Record<string, string> = {};
          if (team) query.team_id = await teamIdOf(c, team);
          if (optFlag(input, "revoked")) query.revoked = "true";
          if (optFlag(input, "all")) query.revoked = "all";
          const out = (await c.call("GET", "/admin/v1/keys", undefined, query)) as { data: KeyAnswer[] };
          output(input, input.values.json ? out : out.data.map(keyRow), KEY_COLUMNS);
          const blocked = out.data.filter((k) => k.blocked && k.blocked.reason !== "revoked");
          if (!input.values.json)
            for (const k of blocked) process.stdout.write(`\n${k.name} is blocked: ${k.blocked!.message}`);
          if (!input.values.json && blocked.length > 0) process.stdout.write("\n");
        }),
    },
    showCommand<KeyAnswer>("key", "Show a key: every setting, its state and why, its spend.", KEY, {
      row: keyRow,
      fields: KEY_FIELDS,
    }),
    setDisabled(true),
    setDisabled(false),
    deleteCommand(
      "key",
      "revoke",
      "Revoke a key (refused everywhere within 2 s; it keeps its name in spend and logs).",
      KEY,
      "revoked.",
    ),
    {
      name: "rotate",
      summary: "Give a key a new secret; the old one works --grace seconds more.",
      options: {
        ...ADMIN_OPTIONS,
        grace: stringOption("SECONDS", "Grace period (default 0)."),
      },
      arguments: KEY,
      run: (input) =>
        withClient(input, async (c) => {
          const grace = Number(optString(input, "grace") ?? "0");
          if (!Number.isInteger(grace) || grace < 0)
            throw new UsageError("--grace must be a whole number of seconds", "keys rotate");
          const id = await keyIdOf(c, input.args[0]!);
          const out = (await c.call("POST", `/admin/v1/keys/${encodeURIComponent(id)}/rotate`, {
            grace_s: grace,
          })) as KeyAnswer & { key: string };
          if (optFlag(input, "json")) return output(input, out, []);
          process.stdout.write(shownOnce(out, gatewayAddress(input)).replace("created", "rotated"));
        }),
    },
  ],
};
