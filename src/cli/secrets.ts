import { cliActor } from "../admin/route.js";
import { resolveConfig } from "../config/resolve.js";
import { appendAudit } from "../data/audit.js";
import { SEALED_PREFIX } from "../observe/alerts.js";
import { keyringOf } from "../secrets/cipher.js";
import { TeamParts } from "../server/team-parts.js";
import type { Command } from "./command.js";
import { stringOption } from "./command.js";
import { optString } from "./values.js";

export const secretsCommand: Command = {
  name: "secrets",
  summary: "Seal secrets for the configuration, and rotate the master key that seals stored credentials.",
  subcommands: [
    {
      name: "seal",
      summary:
        "Seal a secret for the configuration (an alert webhook's secret, an SMTP password) with secrets.master_key.",
      description: [
        "Reads the secret from standard input (or --value) and prints `sealed:…`: put that in the configuration",
        "(alerts.destinations.NAME.secret, or .smtp.password of an email destination); llmux opens it in memory with",
        "secrets.master_key. The file never holds it.",
      ].join("\n"),
      options: {
        config: { type: "string", short: "c", value: "FILE", description: "The configuration file." },
        value: stringOption("SECRET", "The secret (default: read from standard input)."),
      },
      examples: ['printf %s "$WEBHOOK_SECRET" | llmux secrets seal'],
      run: async (input) => {
        const { config } = resolveConfig({ config: optString(input, "config") }, input.env);
        const keyring = keyringOf(config.secrets);
        if (!keyring) {
          process.stderr.write("llmux: secrets seal needs secrets.master_key (LLMUX_MASTER_KEY)\n");
          return 1;
        }
        const secret = (optString(input, "value") ?? (await readStdin())).replace(/\r?\n$/, "");
        if (secret.length < 8) {
          process.stderr.write("llmux: the secret must be at least 8 characters\n");
          return 2;
        }
        const s = keyring.seal(secret);
        process.stdout.write(`${SEALED_PREFIX}${s.keyVersion}:${s.sealed}\n`);
        return 0;
      },
    },
    {
      name: "rotate",
      summary: "Re-seal every stored credential under secrets.master_key.",
      description: [
        "Put the new key in secrets.master_key and the old one in secrets.previous_master_keys, run this,",
        "then remove the old key from the config. Works on the store directly (the server may be running).",
      ].join("\n"),
      options: { config: { type: "string", short: "c", value: "FILE", description: "The configuration file." } },
      run: async (input) => {
        const { config } = resolveConfig({ config: optString(input, "config") }, input.env);
        const parts = new TeamParts(config, { bytes: 1 << 20, timeoutMs: 10_000 });
        try {
          const before = parts.keys.keyVersion;
          const n = (await parts.keys.reseal()) + (await parts.mcpServers.reseal());
          // In the audit log: who re-sealed how many credentials, under which master key (its version, never it).
          const who = cliActor();
          await appendAudit(parts.data, {
            actor: who.name,
            via: who.via,
            source: who.source,
            address: who.address,
            action: "secrets.rotate",
            target_type: "secrets",
            target_id: null,
            target_name: `master key ${parts.keys.keyVersion ?? before}`,
            team_id: null,
            outcome: "ok",
            before: null,
            after: JSON.stringify({ resealed: n, master_key: parts.keys.keyVersion ?? null }),
          });
          process.stdout.write(
            `re-sealed ${n} credential${n === 1 ? "" : "s"} under master key ${parts.keys.keyVersion}\n`,
          );
          return 0;
        } catch (err) {
          process.stderr.write(`llmux: ${(err as Error).message}\n`);
          return 1;
        } finally {
          await parts.close();
        }
      },
    },
  ],
};

async function readStdin(): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const c of process.stdin) chunks.push(c as Buffer);
  return Buffer.concat(chunks).toString("utf8");
}
