/** `llmux config export|history|rollback`: the configuration in force (llmux.yaml and the stored entries). */
import { stringify } from "yaml";
import { ADMIN_OPTIONS, output, withClient } from "./admin-client.js";
import type { Command } from "./command.js";
import { stringOption, UsageError } from "./command.js";
import { optString } from "./values.js";

interface Entry {
  name: string;
  source: string;
  settings: Record<string, unknown>;
}

export const configCommand: Command = {
  name: "config",
  summary: "Export the models and providers in force, see their history, roll back to a version.",
  subcommands: [
    {
      name: "export",
      summary: 'Print the merged providers: and models: as YAML (credentials as "[sealed]").',
      description: [
        "llmux.yaml's entries with the stored ones over them, as one YAML file's providers: and models:.",
        'Credentials are never printed: each is "[sealed]"; put environment variable references in their place.',
      ].join("\n"),
      options: ADMIN_OPTIONS,
      examples: ["llmux config export > merged.yaml"],
      run: (input) =>
        withClient(input, async (c) => {
          const out = (await c.call("GET", "/admin/v1/config")) as {
            version: number;
            providers: Entry[];
            models: Entry[];
          };
          const map = (entries: Entry[]) => Object.fromEntries(entries.map((e) => [e.name, e.settings]));
          process.stdout.write(
            `# llmux.yaml with the stored entries of version ${out.version} over it (llmux config export)\n`,
          );
          process.stdout.write(stringify({ providers: map(out.providers), models: map(out.models) }));
        }),
    },
    {
      name: "history",
      summary: "The changes to the stored models and providers, newest first: version, who, when, what.",
      options: { ...ADMIN_OPTIONS, limit: stringOption("N", "At most N changes (default 50).") },
      run: (input) =>
        withClient(input, async (c) => {
          const limit = optString(input, "limit") ?? "50";
          const out = (await c.call("GET", "/admin/v1/config/history", undefined, { limit })) as {
            data: Record<string, unknown>[];
          };
          output(input, input.values.json ? out : out.data, ["version", "at", "actor", "what"]);
        }),
    },
    {
      name: "rollback",
      summary: "Go back to a version: its entries are stored again, as a new version (0: llmux.yaml's alone).",
      options: ADMIN_OPTIONS,
      arguments: [{ name: "version", description: "The version to go back to (llmux config history)." }],
      examples: ["llmux config rollback 3"],
      run: (input) =>
        withClient(input, async (c) => {
          const version = Number(input.args[0]);
          if (!Number.isInteger(version) || version < 0)
            throw new UsageError("version: a whole number (llmux config history)", "config rollback");
          const out = (await c.call("POST", "/admin/v1/config/rollback", { version })) as { version: number };
          process.stdout.write(`rolled back to version ${version}: now version ${out.version}\n`);
        }),
    },
  ],
};
