import { ADMIN_OPTIONS, type AdminClient, withClient } from "./admin-client.js";
import { type Command, type CommandInput, type OptionSpec, stringOption, UsageError } from "./command.js";
import { teamIdOf } from "./refs.js";
import { optFlag, optList, optString } from "./values.js";

const GROUPS = ["secrets", "entropy", "pii", "custom", "llmux"] as const;
const ACTIONS = ["block", "mask", "warn", "off"];

/** The policy the admin API answers (GET /admin/v1/guardrails/policy), as far as the CLI reads it. */
interface PolicyAnswer {
  enabled: boolean;
  version: number;
  policy: { actions: Record<string, string>; dry_run: boolean; pii: boolean; entropy: boolean; custom_rules: string[] };
  stored: {
    gateway: Record<string, unknown> | null;
    teams: Record<string, Record<string, unknown>>;
    keys: Record<string, Record<string, unknown>>;
    aliases: Record<string, Record<string, unknown>>;
  };
}

const SCOPE_OPTIONS: Record<string, OptionSpec> = {
  team: stringOption("TEAM", "That team's policy (its name or id) instead of the gateway's."),
  key: stringOption("KEY", "That key's policy (its id or name) instead of the gateway's."),
  model: stringOption("ALIAS", "That model alias's policy instead of the gateway's."),
};

/** The admin API path of the scope the options name, and where its stored policy is in the answer. */
async function scopeOf(
  c: AdminClient,
  input: CommandInput,
  command: string,
): Promise<{ path: string; gateway: boolean; stored: (a: PolicyAnswer) => unknown }> {
  const given = (["team", "key", "model"] as const).filter((k) => optString(input, k) !== undefined);
  if (given.length > 1) throw new UsageError("give at most one of --team, --key, --model", command);
  const kind = given[0];
  if (!kind) return { path: "/admin/v1/guardrails", gateway: true, stored: (a) => a.stored.gateway };
  const ref = optString(input, kind)!;
  // A team's policy is stored under its id (the team may be named by its name).
  const id = kind === "team" ? await teamIdOf(c, ref) : ref;
  const plural = { team: "teams", key: "keys", model: "aliases" } as const;
  return {
    path: `/admin/v1/guardrails/${plural[kind]}/${encodeURIComponent(id)}`,
    gateway: false,
    stored: (a) => a.stored[plural[kind]][id],
  };
}

const onOff = (input: CommandInput, name: string, command: string): boolean | undefined => {
  const v = optString(input, name);
  if (v === undefined) return undefined;
  if (v !== "on" && v !== "off") throw new UsageError(`--${name} is on or off, got '${v}'`, command);
  return v === "on";
};

/** The custom rules of `--rule ID=PATTERN` (each once; the list replaces the stored one). */
function rulesOf(input: CommandInput, command: string): { id: string; pattern: string }[] | undefined {
  const all = optList(input, "rule");
  if (!all) return undefined;
  return all.map((r) => {
    const eq = r.indexOf("=");
    if (eq < 1) throw new UsageError("--rule must be ID=PATTERN (a rule id, '=', then the expression)", command);
    return { id: r.slice(0, eq), pattern: r.slice(eq + 1) };
  });
}

/** The body of a change: what is stored for the scope, with the options given over it. */
async function changed(c: AdminClient, input: CommandInput, command: string) {
  const scope = await scopeOf(c, input, command);
  const gateway = scope.gateway;
  const now = (await c.call("GET", "/admin/v1/guardrails/policy")) as PolicyAnswer;
  const before = (scope.stored(now) ?? {}) as Record<string, unknown>;
  const actions: Record<string, string> = { ...((before.actions as Record<string, string>) ?? {}) };
  for (const g of GROUPS) {
    const a = optString(input, g);
    if (a === undefined) continue;
    if (!ACTIONS.includes(a)) throw new UsageError(`--${g} is one of ${ACTIONS.join(", ")}, got '${a}'`, command);
    actions[g] = a;
  }
  const body: Record<string, unknown> = { ...before };
  if (Object.keys(actions).length > 0) body.actions = actions;
  const dry = onOff(input, "dry-run", command);
  if (dry !== undefined) body.dry_run = dry;
  if (gateway) {
    for (const [opt, field] of [
      ["enabled", "enabled"],
      ["detect-pii", "pii"],
      ["detect-entropy", "entropy"],
    ] as const) {
      const v = onOff(input, opt, command);
      if (v !== undefined) body[field] = v;
    }
    const rules = optFlag(input, "no-rules") ? [] : rulesOf(input, command);
    if (rules) body.rules = rules;
  } else if (["enabled", "detect-pii", "detect-entropy", "rule", "no-rules"].some((o) => input.values[o] !== undefined))
    throw new UsageError("--enabled, --detect-pii, --detect-entropy and --rule are the gateway's only", command);
  return { path: scope.path, body };
}

function print(input: CommandInput, a: PolicyAnswer): void {
  if (optFlag(input, "json")) {
    process.stdout.write(`${JSON.stringify(a, null, 2)}\n`);
    return;
  }
  const p = a.policy;
  const lines = [
    `enabled: ${a.enabled ? "yes" : "no"}${p.dry_run ? " (dry run)" : ""}   version ${a.version}`,
    `actions: ${GROUPS.map((g) => `${g} ${p.actions[g]}`).join(", ")}`,
    `detectors: entropy ${p.entropy ? "on" : "off"}, pii ${p.pii ? "on" : "off"}; custom rules: ${p.custom_rules.join(", ") || "none"}`,
  ];
  for (const [what, list] of [
    ["team", a.stored.teams],
    ["key", a.stored.keys],
    ["alias", a.stored.aliases],
  ] as const)
    for (const [id, policy] of Object.entries(list)) lines.push(`${what} ${id}: ${JSON.stringify(policy)}`);
  process.stdout.write(`${lines.join("\n")}\n`);
}

const ACTION_OPTIONS: Record<string, OptionSpec> = Object.fromEntries(
  GROUPS.map((g) => [g, stringOption("ACTION", `The action of the ${g} group: block, mask, warn or off.`)]),
);

export const guardrailsSet: Command = {
  name: "set",
  summary: "Change the guardrails' policy for every instance (the gateway's, or a team's, key's or alias's).",
  description: [
    "Stores the policy through the admin API (every instance applies it within a second; in the audit log).",
    "What is already stored for the scope is kept, the options given change it. Without --team, --key or",
    "--model, the gateway's policy: each field stored takes the place of the configuration file's.",
  ].join("\n"),
  options: {
    ...ADMIN_OPTIONS,
    ...SCOPE_OPTIONS,
    ...ACTION_OPTIONS,
    "dry-run": stringOption("on|off", "Record what each action would have done, and do none of it."),
    enabled: stringOption("on|off", "The gateway's guardrails on or off."),
    "detect-pii": stringOption("on|off", "The personal-data detectors (the gateway's)."),
    "detect-entropy": stringOption("on|off", "The entropy check (the gateway's)."),
    rule: { ...stringOption("ID=PATTERN", "A custom rule (repeat; replaces the stored list)."), multiple: true },
    "no-rules": { type: "boolean", description: "No custom rules (in place of the file's)." },
  },
  examples: [
    "llmux guardrails set --enabled on --secrets mask --entropy warn",
    "llmux guardrails set --team platform --secrets block",
    "llmux guardrails set --key ci-bot --dry-run on",
    "llmux guardrails set --rule 'acme-token=acme_tok_([a-z0-9]{32})' --custom block",
  ],
  run: (input) =>
    withClient(input, async (c) => {
      const { path, body } = await changed(c, input, "guardrails set");
      print(input, (await c.call("PUT", path, body)) as PolicyAnswer);
    }),
};

export const guardrailsReset: Command = {
  name: "reset",
  summary: "Remove a policy set with `guardrails set` (the configuration file's applies again).",
  options: { ...ADMIN_OPTIONS, ...SCOPE_OPTIONS },
  examples: ["llmux guardrails reset", "llmux guardrails reset --team platform"],
  run: (input) =>
    withClient(input, async (c) => {
      print(input, (await c.call("DELETE", (await scopeOf(c, input, "guardrails reset")).path)) as PolicyAnswer);
    }),
};

export const guardrailsShow: Command = {
  name: "show",
  summary: "Show the guardrails' policy in force (the file's, with what was set through the API).",
  options: ADMIN_OPTIONS,
  run: (input) =>
    withClient(input, async (c) => {
      print(input, (await c.call("GET", "/admin/v1/guardrails/policy")) as PolicyAnswer);
    }),
};
