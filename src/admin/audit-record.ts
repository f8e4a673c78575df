/**
 * An admin change as its audit-log entry: who and from where (the actor), what (the action and its target),
 * before and after as the API shows them, with anything secret taken out (a new key's secret, credentials).
 */
import type { AuditEntry } from "../data/audit.js";
import type { Actor, AuditSpec } from "./route.js";

export type AuditSink = (entry: AuditEntry) => Promise<void>;

/** Fields that hold or could hold a secret: never written to the audit log. */
const SECRET_FIELDS = new Set(["key", "secret", "api_key", "token", "password"]);

/** A value as the audit log keeps it: JSON without its secret fields (credentials keep their provider names). */
export function scrubbed(v: unknown): string | null {
  if (v === undefined || v === null) return null;
  return JSON.stringify(v, (k, x) => {
    if (SECRET_FIELDS.has(k)) return undefined;
    if (k === "credentials" && x && typeof x === "object" && !Array.isArray(x)) return Object.keys(x).sort();
    return x;
  });
}

const field = (v: unknown, name: string): string | null => {
  const x = v && typeof v === "object" ? (v as Record<string, unknown>)[name] : undefined;
  return typeof x === "string" ? x : null;
};

/** The entry of a change made through a route. */
export function auditEntryOf(
  spec: AuditSpec,
  actor: Actor,
  id: string | undefined,
  before: unknown,
  after: unknown,
): AuditEntry {
  const target = after ?? before;
  const deleted = after && typeof after === "object" && (after as { deleted?: unknown }).deleted === true;
  const shown = deleted ? undefined : after;
  return {
    actor: actor.name,
    via: actor.via,
    source: actor.source,
    address: actor.address,
    action: spec.action,
    target_type: spec.target,
    target_id: id ?? field(target, "id"),
    target_name: field(shown, "name") ?? field(before, "name"),
    team_id:
      spec.target === "team" ? (id ?? field(target, "id")) : (field(shown, "team_id") ?? field(before, "team_id")),
    outcome: "ok",
    before: scrubbed(before),
    after: scrubbed(shown),
  };
}
