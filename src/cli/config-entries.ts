/**
 * `llmux models …` and `llmux providers …`: model aliases and providers stored at runtime over llmux.yaml's
 * (the admin API's /admin/v1/config/…), in force on every instance within 2 s without a restart.
 */
import { ADMIN_OPTIONS, type AdminClient, output, outputFields, withClient } from "./admin-client.js";
import type { Command, CommandInput } from "./command.js";
import { stringOption, UsageError } from "./command.js";
import { deploymentsCommand } from "./model-deployments.js";
import { SETTINGS, settingsOf } from "./settings-option.js";
import { optString } from "./values.js";

type Kind = "models" | "providers";

interface EntryAnswer {
  kind: Kind;
  name: string;
  source: string;
  overrides_file: boolean;
  version: number | null;
  settings: Record<string, unknown>;
}

const COLUMNS = ["name", "source", "version", "settings"];

const rowOf = (e: EntryAnswer) => ({
  name: e.name,
  source: e.overrides_file ? "stored (over llmux.yaml)" : e.source,
  version: e.version,
  settings: JSON.stringify(e.settings),
});

const path = (kind: Kind, name: string) => `/admin/v1/config/${kind}/${encodeURIComponent(name)}`;
const NAME = [{ name: "name", description: "The entry's name (a key of models: or providers: in llmux.yaml)." }];

function listCommand(kind: Kind): Command {
  return {
    name: "list",
    summary: `List the ${kind} in force: llmux.yaml's (read-only) and the stored.`,
    options: ADMIN_OPTIONS,
    run: (input) =>
      withClient(input, async (c) => {
        const out = (await c.call("GET", "/admin/v1/config")) as Record<Kind, EntryAnswer[]>;
        output(input, input.values.json ? out[kind] : out[kind].map(rowOf), COLUMNS);
      }),
  };
}

async function put(c: AdminClient, input: CommandInput, kind: Kind, name: string, body: Record<string, unknown>) {
  const out = (await c.call("PUT", path(kind, name), body)) as EntryAnswer;
  outputFields(input, out, rowOf(out), COLUMNS);
}

function removeCommand(kind: Kind): Command {
  return {
    name: "rm",
    summary: `Remove a stored ${kind === "models" ? "model alias" : "provider"} (llmux.yaml's of that name is in force again).`,
    options: ADMIN_OPTIONS,
    arguments: NAME,
    run: (input) =>
      withClient(input, async (c) => {
        const name = input.args[0]!;
        const out = (await c.call("DELETE", path(kind, name))) as { restored: boolean };
        process.stdout.write(`${kind} ${name} removed${out.restored ? "; llmux.yaml's is in force again" : ""}\n`);
      }),
  };
}

export const modelsCommand: Command = {
  name: "models",
  summary:
    "List, add, change and remove model aliases and their deployments at runtime (over llmux.yaml's, without a restart).",
  subcommands: [
    listCommand("models"),
    {
      name: "add",
      summary: "Store a model alias: every instance serves it within 2 s.",
      options: {
        ...ADMIN_OPTIONS,
        provider: stringOption("NAME", "The provider that serves it."),
        model: stringOption("MODEL", "The upstream model (default: the alias)."),
        settings: SETTINGS,
      },
      arguments: NAME,
      examples: [
        "llmux models add fast --provider openai --model gpt-4.1-mini",
        `llmux models add sonnet --settings '{deployments: [{provider: a, model: claude-sonnet-4-5}, {provider: b, model: claude-sonnet-4-5}]}'`,
      ],
      run: (input) =>
        withClient(input, async (c) => {
          const provider = optString(input, "provider");
          const model = optString(input, "model");
          const body = {
            ...(provider ? { provider } : {}),
            ...(model ? { model } : {}),
            ...settingsOf(input, "models add"),
          };
          await put(c, input, "models", input.args[0]!, body);
        }),
    },
    {
      name: "set",
      summary: "Change a model alias: the given settings over those in force (the file's become a stored copy).",
      options: { ...ADMIN_OPTIONS, settings: SETTINGS },
      arguments: NAME,
      examples: ["llmux models set fast --settings 'max_tokens: 4000'"],
      run: (input) =>
        withClient(input, async (c) => {
          const name = input.args[0]!;
          const given = settingsOf(input, "models set");
          if (Object.keys(given).length === 0) throw new UsageError("give --settings to change", "models set");
          const now = (await c.call("GET", path("models", name))) as EntryAnswer;
          await put(c, input, "models", name, { ...now.settings, ...given });
        }),
    },
    removeCommand("models"),
    deploymentsCommand,
  ],
};

export const providersCommand: Command = {
  name: "providers",
  summary: "List, add and remove providers at runtime (credentials sealed; over llmux.yaml's, without a restart).",
  subcommands: [
    listCommand("providers"),
    {
      name: "add",
      summary: "Store a provider (or replace the stored one): its credential is sealed with secrets.master_key.",
      description: [
        "The API key is read from an environment variable (--api-key-env), never from the command line, and",
        'stored sealed; answers show it as "[sealed]".',
      ].join("\n"),
      options: {
        ...ADMIN_OPTIONS,
        type: stringOption("TYPE", "openai, anthropic, azure, openai-compatible, gemini, vertex, bedrock…"),
        "base-url": stringOption("URL", "The provider's base URL."),
        "api-key-env": stringOption("VAR", "The environment variable holding its API key."),
        settings: SETTINGS,
      },
      arguments: NAME,
      examples: ["OPENAI_KEY=sk-… llmux providers add team-openai --type openai --api-key-env OPENAI_KEY"],
      run: (input) =>
        withClient(input, async (c) => {
          const type = optString(input, "type");
          const baseUrl = optString(input, "base-url");
          const keyVar = optString(input, "api-key-env");
          const key = keyVar ? input.env[keyVar] : undefined;
          if (keyVar && !key) throw new UsageError(`--api-key-env: ${keyVar} is not set`, "providers add");
          const body = {
            ...(type ? { type } : {}),
            ...(baseUrl ? { base_url: baseUrl } : {}),
            ...(key ? { api_key: key } : {}),
            ...settingsOf(input, "providers add"),
          };
          await put(c, input, "providers", input.args[0]!, body);
        }),
    },
    removeCommand("providers"),
  ],
};
