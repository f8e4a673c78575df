import { createHmac } from "node:crypto";
import type { Config } from "../config/schema.js";
import type { Logger } from "../log/logger.js";
import type { HotState } from "../state/hot-state.js";
import { hotKeys } from "../state/keys.js";

/** Something a team lead is told about as it happens (src/limits raises these). */
export interface AlertEvent {
  rule: "budget_share" | "budget_blocked";
  /** Who it is about: a key, team, user or tag, and its id. */
  scope: string;
  id: string;
  /** The window it belongs to (a budget window's start): it is sent once per window. */
  window: string;
  /** What happened, in words. */
  message: string;
  /** Figures for machines (spent_usd, budget_usd…). */
  fields?: Record<string, unknown>;
  /** When the window ends (ms), or undefined when it does not: how long the claim to send is kept. */
  until?: number | undefined;
}

type AlertsConfig = Config["alerts"];
type Destination = AlertsConfig["destinations"][string];

/** The body a destination takes, and its headers (a webhook's body is signed). */
export function alertRequest(
  d: Destination,
  e: AlertEvent,
  now = Date.now(),
): { body: string; headers: Record<string, string> } {
  const headers: Record<string, string> = { "content-type": "application/json", "user-agent": "llmux-alerts" };
  if (d.type === "slack") return { body: JSON.stringify({ text: `:rotating_light: llmux: ${e.message}` }), headers };
  if (d.type === "teams")
    return {
      body: JSON.stringify({
        "@type": "MessageCard",
        "@context": "https://schema.org/extensions",
        summary: e.rule,
        text: `llmux: ${e.message}`,
      }),
      headers,
    };
  const body = JSON.stringify({
    rule: e.rule,
    scope: e.scope,
    id: e.id,
    message: e.message,
    at: new Date(now).toISOString(),
    ...e.fields,
  });
  const ts = String(Math.floor(now / 1000));
  headers["llmux-timestamp"] = ts;
  if (d.secret)
    headers["llmux-signature"] = `sha256=${createHmac("sha256", d.secret).update(`${ts}.${body}`).digest("hex")}`;
  return { body, headers };
}

/**
 * Pushes alerts to webhooks, Slack and Teams (`alerts:`). Each event is sent once per rule, scope, id and
 * window, by whichever instance sees it first (a claim in the hot state: on Redis, shared by every instance),
 * retried with backoff when the destination fails; a destination's URL and secret are never logged.
 */
export class Alerts {
  constructor(
    private readonly config: AlertsConfig,
    private readonly hot: HotState,
    private readonly logger: Logger,
    /** Waits before each retry, ms. */
    private readonly backoffMs: readonly number[] = [1000, 5000, 30_000],
  ) {}

  /** Whether any rule sends this kind of event (nothing to do otherwise). */
  wants(rule: AlertEvent["rule"]): boolean {
    return this.config.rules.some((r) => r.on === rule);
  }

  /** Sends the event to its rule's destinations, once across instances; never throws. */
  async fire(e: AlertEvent): Promise<void> {
    const targets = this.config.rules.filter((r) => r.on === e.rule).flatMap((r) => r.to);
    if (targets.length === 0) return;
    const ttl =
      e.until !== undefined && Number.isFinite(e.until)
        ? Math.max(60_000, e.until - Date.now() + 86_400_000)
        : undefined;
    try {
      if (!(await this.hot.setIfAbsent(hotKeys.alertSent(e.rule, e.scope, e.id, e.window), "1", ttl))) return;
    } catch {
      // The shared state is away: better an alert twice than none.
    }
    await Promise.all([...new Set(targets)].map((name) => this.send(name, e)));
  }

  private async send(name: string, e: AlertEvent): Promise<void> {
    const d = this.config.destinations[name];
    if (!d) return;
    for (let attempt = 0; ; attempt++) {
      const { body, headers } = alertRequest(d, e);
      const status = await fetch(d.url, { method: "POST", headers, body, signal: AbortSignal.timeout(10_000) }).then(
        async (r) => {
          await r.arrayBuffer().catch(() => undefined);
          return r.status;
        },
        () => 0,
      );
      if (status >= 200 && status < 300) {
        this.logger.info({ alert: e.rule, destination: name, scope: e.scope, id: e.id }, "alert sent");
        return;
      }
      const wait = this.backoffMs[attempt];
      if (wait === undefined) {
        this.logger.warn({ alert: e.rule, destination: name, status }, "alert not delivered after retries");
        return;
      }
      await new Promise((r) => setTimeout(r, wait));
    }
  }
}
