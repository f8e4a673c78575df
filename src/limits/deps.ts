import type { Billing } from "../billing/billing.js";
import type { Data } from "../data/data.js";
import type { Quota } from "../identity/principal.js";
import type { HotState } from "../state/hot-state.js";

/** What the limits and budgets of the admit stage work on. */
export interface LimitsDeps {
  hot: HotState;
  billing: Billing;
  /** The ledger's database: a budget window's counter starts from what the ledger already holds. */
  data?: Data | undefined;
  timezone: string;
  /** Share of a budget at which a warning is logged once per window. */
  alertAt: number;
  warn(fields: object, msg: string): void;
  now?: () => number;
  /** Budgets and limits per user label (`billing.users`): shared by every key of that user. */
  users?: Readonly<Record<string, Omit<Quota, "scope" | "id">>> | undefined;
}
