/**
 * Settings in the audit log: the configuration a process starts (or a supervisor reloads its workers) with,
 * as one short fingerprint per top-level section. A start whose settings differ from the last ones recorded
 * adds `settings.load` (the first) or `settings.change` (before and after: which sections changed); a reload
 * of the workers (SIGHUP) adds `settings.reload`. Never a secret: each secret is replaced before hashing by a
 * keyed digest (HMAC under secrets.master_key, so a rotated secret changes its section's fingerprint and the
 * digest cannot be tested against guesses), or by a placeholder without a master key.
 */
import { createHash, createHmac } from "node:crypto";
import { hostname } from "node:os";
import type { Config } from "../config/schema.js";
import { type AuditEntry, appendAudit, listAudit } from "../data/audit.js";
import type { Data } from "../data/data.js";
import { configSecrets } from "../secrets/redact.js";

export type SettingsPrint = Record<string, string>;

/** Each top-level section of the configuration as a 12-hex-digit fingerprint; its secrets never enter it. */
export function settingsPrint(config: Config): SettingsPrint {
  const secrets = [...new Set(configSecrets(config).filter((s) => s.length > 0))].sort((a, b) => b.length - a.length);
  const master = config.secrets.master_key;
  const sealed = (s: string) =>
    master ? `[secret ${createHmac("sha256", master).update(s).digest("hex").slice(0, 16)}]` : "[secret]";
  const scrub = (x: string) => secrets.reduce((out, s) => (out.includes(s) ? out.split(s).join(sealed(s)) : out), x);
  const out: SettingsPrint = {};
  for (const k of Object.keys(config).sort()) {
    const json = JSON.stringify((config as Record<string, unknown>)[k], (_, v) =>
      typeof v === "string" ? scrub(v) : v,
    );
    out[k] = createHash("sha256")
      .update(json ?? "null")
      .digest("hex")
      .slice(0, 12);
  }
  return out;
}

const SETTINGS_ACTIONS = ["settings.load", "settings.change", "settings.reload"];

/** The settings the last entry recorded (any instance's), or undefined when none was. */
async function lastPrint(data: Data): Promise<SettingsPrint | undefined> {
  let newest: { at: number; after: string | null } | undefined;
  for (const action of SETTINGS_ACTIONS) {
    const row = (await listAudit(data, { action }, 1)).rows[0];
    if (row && (!newest || row.at > newest.at)) newest = row;
  }
  return newest?.after ? (JSON.parse(newest.after) as SettingsPrint) : undefined;
}

function entry(
  action: string,
  before: SettingsPrint | undefined,
  after: SettingsPrint,
  file: string | null,
): AuditEntry {
  const user = process.env.USER ?? process.env.USERNAME ?? process.env.LOGNAME;
  return {
    actor: `llmux on ${hostname()}${user ? ` (${user})` : ""}`,
    via: "cli",
    source: "cli",
    address: null,
    action,
    target_type: "settings",
    target_id: null,
    target_name: file,
    team_id: null,
    outcome: "ok",
    before: before ? JSON.stringify(before) : null,
    after: JSON.stringify(after),
  };
}

/**
 * At a start: records the settings when they differ from the last ones recorded (the first: settings.load;
 * then settings.change with before and after). Answers whether an entry was added.
 */
export async function recordSettingsAtStart(data: Data, config: Config, file: string | null): Promise<boolean> {
  const now = settingsPrint(config);
  const last = await lastPrint(data);
  if (last && JSON.stringify(last) === JSON.stringify(now)) return false;
  // Before the gateway listens: written on this thread (no writer thread started for one row).
  await appendAudit(data, entry(last ? "settings.change" : "settings.load", last, now, file), { here: true });
  return true;
}

/** After the workers were reloaded with the configuration read again: settings.reload, before and after. */
export async function recordSettingsReload(
  data: Data,
  before: SettingsPrint,
  config: Config,
  file: string | null,
): Promise<void> {
  await appendAudit(data, entry("settings.reload", before, settingsPrint(config), file));
}
