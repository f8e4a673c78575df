/**
 * `llmux models deployments list|add|rm ALIAS …`: one deployment of a model alias at a time, by its name (the
 * admin API's /admin/v1/config/models/{alias}/deployments/{name}), in force on every instance within 2 s.
 */
import { deploymentNameOf } from "../config/alias-deployments.js";
import { ADMIN_OPTIONS, output, outputFields, withClient } from "./admin-client.js";
import type { Command, CommandInput } from "./command.js";
import { stringOption, UsageError } from "./command.js";
import { settingsOf } from "./settings-option.js";
import { optString } from "./values.js";

interface DeploymentAnswer {
  alias: string;
  name: string;
  provider: string;
  model: string;
  settings: Record<string, unknown>;
  added?: boolean;
  version?: number;
  note?: string | null;
}

const COLUMNS = ["name", "provider", "model", "settings"];

const rowOf = (d: DeploymentAnswer) => ({
  name: d.name,
  provider: d.provider,
  model: d.model,
  settings: JSON.stringify(d.settings),
});

const listPath = (alias: string) => `/admin/v1/config/models/${encodeURIComponent(alias)}/deployments`;
const onePath = (alias: string, name: string) => `${listPath(alias)}/${encodeURIComponent(name)}`;

const ALIAS = { name: "alias", description: "The model alias (a key of models: in llmux.yaml, or a stored one)." };

/** `--weight` as a positive number. */
function weightOf(input: CommandInput): number | undefined {
  const text = optString(input, "weight");
  if (text === undefined) return undefined;
  const n = Number(text);
  if (text.trim() === "" || !Number.isFinite(n) || n <= 0)
    throw new UsageError(`--weight must be a positive number, got '${text}'`, "models deployments add");
  return n;
}

/** A stored alias over llmux.yaml's: said once, on stderr (the answer's note). */
const noted = (note: string | null | undefined) => {
  if (note) process.stderr.write(`note: ${note}\n`);
};

export const deploymentsCommand: Command = {
  name: "deployments",
  summary: "List, add (or replace) and remove one deployment of a model alias, by its name.",
  description: [
    "A deployment is named by its `name`, or provider/model. A change is a new version of the alias's stored",
    "entry (llmux config history; llmux config rollback); an alias of llmux.yaml becomes a stored alias over it:",
    "the file's deployments with the change.",
  ].join("\n"),
  subcommands: [
    {
      name: "list",
      summary: "List an alias's deployments in force, each by its name.",
      options: ADMIN_OPTIONS,
      arguments: [ALIAS],
      run: (input) =>
        withClient(input, async (c) => {
          const out = (await c.call("GET", listPath(input.args[0]!))) as { data: DeploymentAnswer[] };
          output(input, input.values.json ? out : out.data.map(rowOf), COLUMNS);
        }),
    },
    {
      name: "add",
      summary: "Add a deployment to an alias, or replace the one of that name: every instance uses it within 2 s.",
      description: "A replacement is whole: give every setting the deployment keeps (provider, model, weight…).",
      options: {
        ...ADMIN_OPTIONS,
        provider: stringOption("NAME", "The provider that serves it."),
        model: stringOption("MODEL", "The upstream model (default: the alias)."),
        weight: stringOption("N", "Its share of traffic under the weighted strategy (default 1)."),
        settings: stringOption(
          "YAML|JSON",
          "The deployment's settings, as one item of an alias's deployments: in llmux.yaml (over the given options).",
        ),
      },
      arguments: [
        ALIAS,
        { name: "name", description: "The deployment's name (default: provider/model).", optional: true },
      ],
      examples: [
        "llmux models deployments add sonnet eu --provider bedrock-eu --model anthropic.claude-sonnet-4-5",
        "llmux models deployments add sonnet eu --settings '{provider: bedrock-eu, model: anthropic.claude-sonnet-4-5, weight: 3, rpm: 500}'",
      ],
      run: (input) =>
        withClient(input, async (c) => {
          const alias = input.args[0]!;
          const provider = optString(input, "provider");
          const model = optString(input, "model");
          const weight = weightOf(input);
          const given = settingsOf(input, "models deployments add");
          const body: Record<string, unknown> = {
            ...(provider ? { provider } : {}),
            ...(model ? { model } : {}),
            ...(weight !== undefined ? { weight } : {}),
            ...given,
          };
          if (body.provider === undefined)
            throw new UsageError("give --provider (or provider: in --settings)", "models deployments add");
          const name = input.args[1] ?? deploymentNameOf(alias, body);
          const out = (await c.call("PUT", onePath(alias, name), body)) as DeploymentAnswer;
          outputFields(input, out, { ...rowOf(out), alias, added: out.added, version: out.version }, [
            "alias",
            ...COLUMNS,
            "added",
            "version",
          ]);
          noted(out.note);
        }),
    },
    {
      name: "rm",
      summary: "Remove a deployment from an alias (not its last one: remove the alias).",
      options: ADMIN_OPTIONS,
      arguments: [ALIAS, { name: "name", description: "The deployment's name (as `list` shows it)." }],
      run: (input) =>
        withClient(input, async (c) => {
          const [alias, name] = [input.args[0]!, input.args[1]!];
          const out = (await c.call("DELETE", onePath(alias, name))) as DeploymentAnswer;
          process.stdout.write(`deployment ${name} removed from ${alias} (version ${out.version})\n`);
          noted(out.note);
        }),
    },
  ],
};
