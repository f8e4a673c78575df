import type { Billing } from "../billing/billing.js";
import type { Data } from "../data/data.js";
import type { Quota } from "../identity/principal.js";
import type { AlertEvent } from "../observe/alerts.js";
import type { HotState } from "../state/hot-state.js";

/** What the limits and budgets of the admit stage work on. */
export interface LimitsDeps {
  hot: HotState;
  billing: Billing;
  /** The ledger's database: it keeps the budgets (src/data/budget-leases.ts); absent, this process does. */
  data?: Data | undefined;
  timezone: string;
  /** Share of a budget at which a warning is logged once per window. */
  alertAt: number;
  warn(fields: object, msg: string): void;
  /** Pushes an alert (`alerts:`): sent off, not awaited; once per window across instances. */
  alert?: ((e: AlertEvent) => void) | undefined;
  now?: () => number;
  /**
   * How long a request that does not fit its budget only because of other requests' holds waits for them to
   * settle before it is refused (ms; `billing.budget_wait_ms`).
   */
  budgetWaitMs?: number | undefined;
  /** How long a budget lease stands unrenewed (ms; tests shorten it). */
  budgetLeaseMs?: number | undefined;
  /** Budgets and limits per user label (`billing.users`): shared by every key of that user. */
  users?: Readonly<Record<string, Omit<Quota, "scope" | "id">>> | undefined;
  /** Budgets and limits per tag (`tags:`): shared by every request carrying the tag. */
  tags?: Readonly<Record<string, Omit<Quota, "scope" | "id">>> | undefined;
}
