import { ADMIN_OPTIONS, output, withClient } from "./admin-client.js";
import type { Command } from "./command.js";
import { stringOption, UsageError } from "./command.js";
import { plainTime } from "./key-table.js";
import { optString } from "./values.js";

interface AuditRow {
  time: string;
  actor: string;
  source: string;
  address: string | null;
  action: string;
  target_type: string | null;
  target_name: string | null;
  target_id: string | null;
  outcome: string;
  reason?: string | null;
  before: Record<string, unknown> | null;
  after: Record<string, unknown> | null;
}

/** The fields a change changed, in words (`budget: null → {"usd":5,"period":"day"}`). */
export function changed(before: Record<string, unknown> | null, after: Record<string, unknown> | null): string {
  if (!before || !after) return "";
  const skip = new Set(["updated_at", "spend_usd", "budget_remaining_usd", "budget_alert", "budget_resets_at"]);
  const out: string[] = [];
  for (const k of new Set([...Object.keys(before), ...Object.keys(after)])) {
    if (skip.has(k)) continue;
    const a = JSON.stringify(before[k] ?? null);
    const b = JSON.stringify(after[k] ?? null);
    if (a !== b) out.push(`${k}: ${a} → ${b}`);
  }
  return out.join("; ");
}

export const auditCommand: Command = {
  name: "audit",
  summary:
    "Show the audit log: who changed what (keys, teams, MCP servers, prices, secrets, settings, sign-ins), when and from where.",
  description: [
    "Reads the audit log from the configured store, or from a running llmux with --url. Every change made",
    "through the admin API, the CLI and the web UI is there, newest first, with what it changed (secrets never).",
  ].join("\n"),
  options: {
    ...ADMIN_OPTIONS,
    actor: stringOption("WHO", "Only this actor's changes."),
    action: stringOption(
      "ACTION",
      "key.create, key.update, key.rotate, key.revoke, team.…, mcp_server.…, mcp_credential.…, price_list.update, secrets.rotate, settings.load|change|reload, sign_in.",
    ),
    target: stringOption("ID", "Only changes to this key or team (its id)."),
    limit: { type: "string", short: "n", value: "N", description: "How many entries (default 20)." },
  },
  examples: [
    "llmux audit",
    "llmux audit --action key.revoke",
    "llmux audit --action settings.reload",
    "llmux audit --url http://127.0.0.1:4000 -n 50",
  ],
  run: (input) => {
    const limit = optString(input, "limit") ?? "20";
    if (!/^\d+$/.test(limit) || Number(limit) < 1 || Number(limit) > 500)
      throw new UsageError(`--limit must be 1 to 500, got '${limit}'`, "audit");
    const query: Record<string, string> = { limit };
    for (const [opt, q] of [
      ["actor", "actor"],
      ["action", "action"],
      ["target", "target_id"],
    ] as const) {
      const v = optString(input, opt);
      if (v) query[q] = v;
    }
    return withClient(input, async (c) => {
      const out = (await c.call("GET", "/admin/v1/audit", undefined, query)) as { rows: AuditRow[] };
      const rows = out.rows.map((r) => ({
        time: plainTime(r.time)?.replace(" UTC", ""),
        actor: r.actor,
        from: r.address ? `${r.source} ${r.address}` : r.source,
        action: r.outcome === "ok" ? r.action : `${r.action} (${r.outcome}${r.reason ? `: ${r.reason}` : ""})`,
        target: r.target_name ?? r.target_id,
        changed: changed(r.before, r.after),
      }));
      output(input, input.values.json ? out : rows, ["time", "actor", "from", "action", "target", "changed"]);
    });
  },
};
