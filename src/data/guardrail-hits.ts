/**
 * The guardrails' findings as the request log holds them (never a value): the row's `guardrail_findings` column
 * (131: rule, group, place, action, dry run); on rows written before it, each finding is a warning
 * `guardrail_<action>` (`guardrail_dry_run` for a dry run) saying `guardrails: <rule> in <place> (<what was done>)`,
 * and a blocked request's reason names its rules and places. Counted here by rule, key and team.
 */
import type { Data } from "./data.js";
import { findingsOfColumn } from "./guardrail-findings.js";

/** Rows read at most per call, newest first (the answer says when the window held more). */
export const GUARDRAIL_ROWS = 50_000;

export type HitAction = "block" | "mask" | "warn";

/** Requests with at least one finding of each kind (a dry run's: what would have been done). */
export interface HitCounts {
  requests: number;
  block: number;
  mask: number;
  warn: number;
  would_block: number;
  would_mask: number;
  would_warn: number;
}

export interface GuardrailHits {
  rows: number;
  truncated: boolean;
  byRule: Map<string, HitCounts>;
  byKey: Map<string, HitCounts & { key_id: string | null; key_name: string | null }>;
  byTeam: Map<string, HitCounts>;
}

interface Found {
  rule: string;
  action: HitAction;
  dryRun: boolean;
}

const WORDS: Record<string, HitAction> = { blocked: "block", masked: "mask", warned: "warn" };

/** The findings of a row written before the column (131): from its guardrail warnings, and from a block's reason. */
export function findingsOf(warnings: string | null, reason: string | null): Found[] {
  const out: Found[] = [];
  if (warnings) {
    let list: { code?: unknown; message?: unknown }[] = [];
    try {
      list = JSON.parse(warnings) as typeof list;
    } catch {
      list = [];
    }
    for (const w of list) {
      if (typeof w.code !== "string" || !w.code.startsWith("guardrail_") || typeof w.message !== "string") continue;
      const m = /^guardrails: (\S+) in .* \((dry run: would be )?(blocked|masked|warned)\)$/.exec(w.message);
      if (m) out.push({ rule: m[1]!, action: WORDS[m[3]!]!, dryRun: m[2] !== undefined });
    }
  }
  const refused = reason
    ? /^llmux's guardrails refused this request: it holds a secret \((.*)\)\. Remove it/.exec(reason)
    : null;
  if (refused)
    for (const part of refused[1]!.replace(/ and \d+ more$/, "").split("; ")) {
      const rule = part.split(" in ")[0];
      if (rule && /^\S+$/.test(rule)) out.push({ rule, action: "block", dryRun: false });
    }
  return out;
}

const zero = (): HitCounts => ({
  requests: 0,
  block: 0,
  mask: 0,
  warn: 0,
  would_block: 0,
  would_mask: 0,
  would_warn: 0,
});

/** Adds one request's findings to a tally: each kind counted once per request. */
function add(c: HitCounts, found: readonly Found[]): void {
  c.requests++;
  for (const k of new Set(found.map((f) => (f.dryRun ? `would_${f.action}` : f.action)))) c[k as keyof HitCounts]++;
}

/** The findings in the request log since `from` (unix ms), by rule, key and team. */
export async function guardrailHits(data: Data, from: number, limit = GUARDRAIL_ROWS): Promise<GuardrailHits> {
  const db = await data.db();
  const rows = await db
    .selectFrom("request_log")
    .select(["key_id", "key_name", "team_id", "warnings", "reason", "guardrail_findings"])
    .where("at", ">=", from)
    .where((eb) =>
      eb.or([
        eb("guardrail_findings", "is not", null),
        eb("warnings", "like", '%"code":"guardrail%'),
        eb("reason", "like", "llmux's guardrails refused%"),
      ]),
    )
    .orderBy("at", "desc")
    .limit(limit + 1)
    .execute();
  const out: GuardrailHits = {
    rows: 0,
    truncated: rows.length > limit,
    byRule: new Map(),
    byKey: new Map(),
    byTeam: new Map(),
  };
  for (const r of rows.slice(0, limit)) {
    const found: Found[] =
      r.guardrail_findings != null
        ? findingsOfColumn(r.guardrail_findings).map((f) => ({ rule: f.rule, action: f.action, dryRun: f.dry_run }))
        : findingsOf(r.warnings, r.reason);
    if (found.length === 0) continue;
    out.rows++;
    const rules = new Map<string, Found[]>();
    for (const f of found) rules.set(f.rule, [...(rules.get(f.rule) ?? []), f]);
    for (const [rule, fs] of rules) {
      if (!out.byRule.has(rule)) out.byRule.set(rule, zero());
      add(out.byRule.get(rule)!, fs);
    }
    const key = r.key_id ?? r.key_name ?? "";
    if (!out.byKey.has(key)) out.byKey.set(key, { ...zero(), key_id: r.key_id, key_name: r.key_name });
    add(out.byKey.get(key)!, found);
    const team = r.team_id ?? "";
    if (!out.byTeam.has(team)) out.byTeam.set(team, zero());
    add(out.byTeam.get(team)!, found);
  }
  return out;
}
