import type { ALERT_RULES } from "../config/schema-alerts.js";

export type AlertRule = (typeof ALERT_RULES)[number];

/** Something a team lead is told about as it happens (src/limits, the alert watch and the reports raise these). */
export interface AlertEvent {
  rule: AlertRule;
  /** Who it is about: a key, team, user or tag, a deployment, an alias or a model, and its id. */
  scope: string;
  id: string;
  /** The window it belongs to (a budget window's start, a measuring window's): it is sent once per window. */
  window: string;
  /** What happened, in words. */
  message: string;
  /** Figures for machines (spent_usd, budget_usd…). */
  fields?: Record<string, unknown>;
  /** When the window ends (ms), or undefined when it does not: how long the claim to send is kept. */
  until?: number | undefined;
}
