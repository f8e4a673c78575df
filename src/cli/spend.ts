import { ADMIN_OPTIONS, output, withClient } from "./admin-client.js";
import type { Command } from "./command.js";
import { stringOption, UsageError } from "./command.js";
import { optString } from "./values.js";

const GROUPS = ["key", "team", "model", "user", "day", "kind"];
const COLUMNS = [
  "requests",
  "refused",
  "input_tokens",
  "output_tokens",
  "cache_read_tokens",
  "cache_write_tokens",
  "reasoning_tokens",
  "cost_usd",
];

export const spendCommand: Command = {
  name: "spend",
  summary: "Spend from the ledger, grouped by key, team, model, user, day, kind of call or a tag.",
  description: [
    "Reads the spend ledger (every request made with a minted key) from the configured store, or from a",
    "running llmux with --url. Costs are summed exactly (integer nano-dollars) and shown in USD.",
  ].join("\n"),
  options: {
    ...ADMIN_OPTIONS,
    by: stringOption(
      "GROUP",
      "key (default), team, model, user, day, kind (generate, embeddings, completions, rerank), or tag:KEY (the value of a tag: tag:project).",
    ),
    from: stringOption("TIME", "ISO date or time (default: 30 days ago)."),
    to: stringOption("TIME", "ISO date or time (default: now)."),
  },
  examples: [
    "llmux spend",
    "llmux spend --by model --from 2026-11-01",
    "llmux spend --by kind",
    "llmux spend --by tag:project",
    "llmux spend --by day --json",
  ],
  run: (input) => {
    const by = optString(input, "by") ?? "key";
    if (!GROUPS.includes(by) && !/^tag:[A-Za-z0-9_.:/-]{1,64}$/.test(by))
      throw new UsageError(`--by must be one of ${GROUPS.join(", ")} or tag:KEY (tag:project), got '${by}'`, "spend");
    const query: Record<string, string> = { group_by: by };
    const from = optString(input, "from");
    const to = optString(input, "to");
    if (from) query.from = from;
    if (to) query.to = to;
    return withClient(input, async (c) => {
      const out = (await c.call("GET", "/admin/v1/spend", undefined, query)) as {
        rows: Record<string, unknown>[];
        no_price?: { model: string; requests: number }[];
      };
      // Keys and teams by name (a revoked key keeps its name); models with the alias that matched and the upstream.
      const named = by === "key" || by === "team";
      const rows = out.rows.map((r) =>
        named ? { ...r, [by]: r.name ?? r.group } : { ...r, [by]: r.group ?? "(none)" },
      );
      const lead = by === "model" ? ["model", "alias", "upstream_model"] : [by];
      output(input, input.values.json ? out : rows, [...lead, ...COLUMNS]);
      if (!input.values.json && out.no_price?.length)
        process.stdout.write(
          `\nNo price (counted as $0; add them under prices: in the configuration): ${out.no_price
            .map((m) => `${m.model} (${m.requests} request${m.requests === 1 ? "" : "s"})`)
            .join(", ")}\n`,
        );
    });
  },
};
