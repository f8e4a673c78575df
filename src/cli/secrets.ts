import { resolveConfig } from "../config/resolve.js";
import { TeamParts } from "../server/team-parts.js";
import type { Command } from "./command.js";
import { optString } from "./values.js";

export const secretsCommand: Command = {
  name: "secrets",
  summary: "Manage the master key that seals stored credentials.",
  subcommands: [
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
          const n = (await parts.keys.reseal()) + (await parts.mcpServers.reseal());
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
