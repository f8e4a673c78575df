import { readFileSync } from "node:fs";
import { resolveConfig } from "../config/resolve.js";
import { scanText } from "../guardrails/file-scan.js";
import { configSecrets } from "../secrets/redact.js";
import type { Command } from "./command.js";
import { guardrailsReset, guardrailsSet, guardrailsShow } from "./guardrails-set.js";
import { optFlag, optString } from "./values.js";

/** Files larger than this are refused (the gateway's own body limit is the bound on what it scans). */
const MAX_BYTES = 64 * 1024 * 1024;

export const guardrailsCommand: Command = {
  name: "guardrails",
  summary: "llmux's guardrails (secret and personal-data detection): test a file, show or change the policy.",
  subcommands: [
    {
      name: "test",
      summary: "Scan a file with the configuration's guardrails and print each finding: place, rule, action.",
      description: [
        "Uses the configuration's guardrails (its own rules, pii, entropy, actions; --team, --key and --model for",
        "their policies) and llmux's own configured secrets. Prints FILE:LINE:COLUMN, the rule, its group and the",
        "action the gateway would take; never the value. Exits 1 when something would be blocked.",
      ].join("\n"),
      options: {
        config: { type: "string", short: "c", value: "FILE", description: "The configuration file." },
        team: { type: "string", value: "ID", description: "The policy of this team (team_…)." },
        key: { type: "string", value: "ID", description: "The policy of this key (its id or name)." },
        model: { type: "string", value: "ALIAS", description: "The policy of this model alias." },
        pii: { type: "boolean", description: "Run the personal-data detectors whatever the configuration says." },
        json: { type: "boolean", description: "One JSON object per finding." },
      },
      arguments: [{ name: "FILE", description: "The file to scan." }],
      examples: ["llmux guardrails test .env", "llmux guardrails test --json config/credentials.yml"],
      run: (input) => {
        const file = input.args[0]!;
        const { config } = resolveConfig({ config: optString(input, "config") }, input.env);
        const raw = readFileSync(file);
        if (raw.length > MAX_BYTES) {
          process.stderr.write(`llmux: ${file} is over ${MAX_BYTES / 1024 / 1024} MB\n`);
          return 2;
        }
        const settings = { ...config.guardrails, pii: config.guardrails.pii || optFlag(input, "pii") };
        const alias = optString(input, "model");
        const found = scanText(raw.toString("utf8"), settings, configSecrets(config), {
          teamId: optString(input, "team"),
          keyId: optString(input, "key"),
          keyName: optString(input, "key"),
          alias: alias !== undefined ? config.models[alias]?.guardrails : undefined,
        });
        for (const f of found) {
          if (optFlag(input, "json")) process.stdout.write(`${JSON.stringify({ file, ...f })}\n`);
          else process.stdout.write(`${file}:${f.line}:${f.column}  ${f.rule} (${f.group})  ${f.action}\n`);
        }
        if (!optFlag(input, "json"))
          process.stdout.write(found.length === 0 ? `${file}: nothing found\n` : `${found.length} finding(s)\n`);
        return found.some((f) => f.action === "block") ? 1 : 0;
      },
    },
    guardrailsSet,
    guardrailsReset,
    guardrailsShow,
  ],
};
