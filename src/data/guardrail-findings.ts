/**
 * `request_log.guardrail_findings` (131_guardrail_findings): the guardrails' findings on a request as a JSON
 * array of `{rule, group, location, action, dry_run}` — what was found, where, and what was done (in a dry run:
 * what would have been); never a value.
 */

export type FindingAction = "block" | "mask" | "warn";

/** One finding as the column holds it. */
export interface StoredFinding {
  rule: string;
  group: string;
  location: string;
  action: FindingAction;
  dry_run: boolean;
}

/** The column's text of a request's findings. */
export function findingsColumn(
  notes: readonly { rule: string; group: string; location: string; action: FindingAction; dryRun: boolean }[],
): string {
  return JSON.stringify(
    notes.map((n) => ({ rule: n.rule, group: n.group, location: n.location, action: n.action, dry_run: n.dryRun })),
  );
}

const ACTIONS = new Set(["block", "mask", "warn"]);

/** The findings of a column's text (none for null or for what does not parse; an entry of another shape is left out). */
export function findingsOfColumn(text: string | null | undefined): StoredFinding[] {
  if (!text) return [];
  let list: unknown;
  try {
    list = JSON.parse(text);
  } catch {
    return [];
  }
  if (!Array.isArray(list)) return [];
  return list.filter(
    (f): f is StoredFinding =>
      !!f &&
      typeof f === "object" &&
      typeof f.rule === "string" &&
      typeof f.group === "string" &&
      typeof f.location === "string" &&
      ACTIONS.has(f.action) &&
      typeof f.dry_run === "boolean",
  );
}
