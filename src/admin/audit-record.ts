/**
 * An admin change as its audit-log entry: who and from where (the actor), what (the action and its target),
 * before and after as the API shows them, with anything secret taken out (a new key's secret, credentials).
 */
import type { AuditEntry } from "../data/audit.js";
import { Redactor, SECRET_NAME } from "../secrets/redact.js";
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
    ...madeBy(actor, spec),
    target_id: id ?? field(target, "id"),
    target_name: field(shown, "name") ?? field(before, "name"),
    team_id:
      spec.target === "team" ? (id ?? field(target, "id")) : (field(shown, "team_id") ?? field(before, "team_id")),
    outcome: "ok",
    before: scrubbed(before),
    after: scrubbed(shown),
  };
}

/** The statuses of a refusal by policy that the audit log records: 401, 403, and 400/409 validation refusals. */
export const AUDITED_REFUSALS: ReadonlySet<number> = new Set([400, 401, 403, 409]);

/** A refusal's words, at most this long in the audit log. */
const REASON_CHARS = 300;

/** The strings of a body held under names that say they are secrets (`key`, `api_key`, `env`, `headers`…). */
function bodySecrets(v: unknown, secretHere = false, depth = 0): string[] {
  if (depth > 16) return [];
  if (typeof v === "string") return secretHere ? [v] : [];
  if (Array.isArray(v)) return v.flatMap((x) => bodySecrets(x, secretHere, depth + 1));
  if (!v || typeof v !== "object") return [];
  return Object.entries(v).flatMap(([k, x]) =>
    bodySecrets(x, secretHere || SECRET_NAME.test(k) || SECRET_FIELDS.has(k) || HOLDERS.has(k), depth + 1),
  );
}

/** Members whose every value may be a credential. */
const HOLDERS = new Set(["credentials", "env", "headers"]);

/**
 * The entry of a refused change: who tried (as far as they are known), what, why (the refusal's words, with
 * every secret of the request body and every shape of a key taken out, cut to 300 characters). Never a body.
 */
export function refusedEntryOf(
  spec: AuditSpec,
  actor: Actor,
  id: string | undefined,
  message: string,
  body: unknown,
): AuditEntry {
  const words = new Redactor(bodySecrets(body)).redact(message);
  return {
    ...madeBy(actor, spec),
    target_id: id ?? null,
    target_name: null,
    team_id: actor.team ?? null,
    outcome: "refused",
    before: null,
    after: null,
    reason: words.length > REASON_CHARS ? `${words.slice(0, REASON_CHARS - 1)}…` : words,
  };
}

/**
 * How many refused changes are recorded: at most `perAddress` per client address (the socket's, not a header
 * anyone can write) and `total` in all per window; past either, a refusal is not recorded (the log says how many
 * were not, once per window). Anyone can be refused, and the audit log is never pruned.
 */
export class RefusalBudget {
  private window = -1;
  private total = 0;
  private dropped = 0;
  private readonly byAddress = new Map<string, number>();

  constructor(
    private readonly perAddress = 30,
    private readonly all = 300,
    private readonly windowMs = 10 * 60_000,
    private readonly now: () => number = Date.now,
  ) {}

  /** Whether a refusal from `address` is recorded; `droppedBefore`: how many were not in the window that ended. */
  take(address: string): { ok: boolean; droppedBefore: number } {
    const w = Math.floor(this.now() / this.windowMs);
    let droppedBefore = 0;
    if (w !== this.window) {
      droppedBefore = this.dropped;
      this.window = w;
      this.total = 0;
      this.dropped = 0;
      this.byAddress.clear();
    }
    const mine = this.byAddress.get(address) ?? 0;
    if (mine >= this.perAddress || this.total >= this.all) {
      this.dropped++;
      return { ok: false, droppedBefore };
    }
    this.byAddress.set(address, mine + 1);
    this.total++;
    return { ok: true, droppedBefore };
  }
}

/** Who made the change, from where, and what it was. */
function madeBy(
  actor: Actor,
  spec: AuditSpec,
): Pick<AuditEntry, "actor" | "via" | "source" | "address" | "action" | "target_type"> {
  return {
    actor: actor.name,
    via: actor.via,
    source: actor.source,
    address: actor.address,
    action: spec.action,
    target_type: spec.target,
  };
}
