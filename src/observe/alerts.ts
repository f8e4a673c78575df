import { createHmac } from "node:crypto";
import type { Config } from "../config/schema.js";
import type { AlertRow, Delivery } from "../data/alert-log.js";
import type { Logger } from "../log/logger.js";
import { type Keyring, openSealedSetting } from "../secrets/cipher.js";
import type { HotState } from "../state/hot-state.js";
import { AlertClaims, type AlertLog, alertId } from "./alert-claims.js";
import { AlertMailer, type EmailDestination } from "./alert-email.js";
import type { AlertEvent, AlertRule } from "./alert-event.js";

export type { AlertLog } from "./alert-claims.js";
export type { AlertEvent, AlertRule } from "./alert-event.js";

type AlertsConfig = Config["alerts"];
/** A webhook, Slack or Teams destination (an HTTP POST). */
export type HookDestination = Exclude<AlertsConfig["destinations"][string], EmailDestination>;

/** A sealed secret in the configuration: `sealed:<master key version>:<sealed>` (`llmux secrets seal`). */
export { SEALED_PREFIX } from "../secrets/cipher.js";

/** The secret a destination signs with: opened when sealed; undefined when it cannot be (named, never shown). */
export function openSecret(secret: string | undefined, keyring: Keyring | undefined): string | undefined {
  return openSealedSetting(secret, keyring);
}

/** The body a destination takes, and its headers (a webhook's body is signed). */
export function alertRequest(
  d: HookDestination,
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
 * Pushes alerts to webhooks, Slack, Teams and email. Each event is sent once per rule, scope, id and
 * window, by the instance whose row for it the alert log took first (alert-claims.ts: decided by the
 * database, spooled while it is away), retried with backoff when the destination fails, and kept in the
 * alert log with how each destination took it; a destination's URL, secret and SMTP password are never
 * logged (a sealed one is opened in memory only).
 */
export class Alerts {
  private readonly hooks = new Map<string, HookDestination>();
  private readonly mailers = new Map<string, AlertMailer>();
  private readonly claims: AlertClaims;

  constructor(
    private readonly config: AlertsConfig,
    hot: HotState,
    private readonly logger: Logger,
    /** Waits before each retry, ms. */
    private readonly backoffMs: readonly number[] = [1000, 5000, 30_000],
    private readonly log?: AlertLog,
    keyring?: Keyring,
    /** How often alerts spooled while the database is away are tried again, ms. */
    retryMs?: number,
  ) {
    this.claims = new AlertClaims(hot, log, logger, (row) => this.deliver(row), retryMs, config.rules.length > 0);
    for (const [name, d] of Object.entries(config.destinations)) {
      const sealed = d.type === "email" ? d.smtp.password : d.secret;
      const opened = openSecret(sealed, keyring);
      if (sealed && opened === undefined) {
        const field = d.type === "email" ? "smtp.password" : "secret";
        logger.error(
          { destination: name },
          `alerts.destinations.${name}.${field} is sealed with a master key llmux does not have (secrets.master_key): its alerts are not sent`,
        );
        continue;
      }
      if (d.type === "email") this.mailers.set(name, new AlertMailer(d, opened));
      else this.hooks.set(name, { ...d, secret: opened });
    }
  }

  /** Whether any rule sends this kind of event (nothing to do otherwise). */
  wants(rule: AlertRule): boolean {
    return this.config.rules.some((r) => r.on === rule);
  }

  /** The rules of a kind (their thresholds and windows). */
  rules(rule: AlertRule): AlertsConfig["rules"] {
    return this.config.rules.filter((r) => r.on === rule);
  }

  /**
   * Sends the event to its rule's destinations, once across instances (awaits its delivery when this
   * instance sends it; an alert that waits for the database returns at once); never throws.
   */
  async fire(e: AlertEvent): Promise<void> {
    const targets = [...new Set(this.rules(e.rule).flatMap((r) => r.to))];
    if (targets.length === 0) return;
    const row: AlertRow = {
      id: alertId(e),
      at: Date.now(),
      rule: e.rule,
      scope: e.scope,
      subject: e.id,
      window_start: e.window,
      message: e.message,
      fields: e.fields ?? null,
      deliveries: targets.map((destination) => ({ destination, state: "sending", attempts: 0 })),
      state: "sending",
    };
    await this.claims.take(row, e.until).catch((err) => this.unlogged(err));
  }

  /** Sends a claimed alert to each of its destinations and writes how they took it to its row. */
  private async deliver(row: AlertRow): Promise<void> {
    const e: AlertEvent = {
      rule: row.rule as AlertRule,
      scope: row.scope,
      id: row.subject,
      window: row.window_start,
      message: row.message,
      ...(row.fields ? { fields: row.fields } : {}),
    };
    const deliveries: Delivery[] = row.deliveries.map((d) => ({
      destination: d.destination,
      state: "sending",
      attempts: 0,
    }));
    await Promise.all(deliveries.map((d) => this.send(d, e)));
    const sent = deliveries.filter((d) => d.state === "sent").length;
    const state = sent === deliveries.length ? "sent" : sent === 0 ? "failed" : "partial";
    await this.log?.closed(row.id, deliveries, state).catch((err) => this.unlogged(err));
  }

  private unlogged(err: unknown): void {
    this.logger.warn({ err: (err as Error).message }, "an alert could not be written to the alert log");
  }

  private async send(delivery: Delivery, e: AlertEvent): Promise<void> {
    const name = delivery.destination;
    const hook = this.hooks.get(name);
    const mailer = this.mailers.get(name);
    if (!hook && !mailer) {
      delivery.state = "failed";
      return;
    }
    for (let attempt = 0; ; attempt++) {
      // An SMTP server's success is a 2xx reply too (250), so both are judged alike.
      const { status, error } = hook ? { status: await post(hook, e), error: undefined } : await mailer!.send(e);
      delivery.attempts = attempt + 1;
      delivery.status = status;
      if (status >= 200 && status < 300) {
        delivery.state = "sent";
        this.logger.info({ alert: e.rule, destination: name, scope: e.scope, id: e.id }, "alert sent");
        return;
      }
      const wait = this.backoffMs[attempt];
      if (wait === undefined) {
        delivery.state = "failed";
        this.logger.warn({ alert: e.rule, destination: name, status, error }, "alert not delivered after retries");
        return;
      }
      await new Promise((r) => setTimeout(r, wait));
    }
  }

  /** Lets go of the SMTP transports, after the alerts waiting for the database (left for the next process when it is still away). */
  async close(): Promise<void> {
    await this.claims.close();
    for (const m of this.mailers.values()) m.close();
  }
}

/** POSTs an alert to a webhook, Slack or Teams: the HTTP status (0: no answer). */
function post(d: HookDestination, e: AlertEvent): Promise<number> {
  const { body, headers } = alertRequest(d, e);
  return fetch(d.url, { method: "POST", headers, body, signal: AbortSignal.timeout(10_000) }).then(
    async (r) => {
      await r.arrayBuffer().catch(() => undefined);
      return r.status;
    },
    () => 0,
  );
}
