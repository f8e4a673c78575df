import { dirname } from "node:path";
import type { Config } from "../config/schema.js";
import { claimAlerts, updateAlert } from "../data/alert-log.js";
import type { Data } from "../data/data.js";
import { windowOf } from "../limits/windows.js";
import type { Logger } from "../log/logger.js";
import { AlertReports } from "../observe/alert-reports.js";
import { AlertWatch } from "../observe/alert-watch.js";
import { type AlertLog, Alerts } from "../observe/alerts.js";
import type { Deployment } from "../routing/deployments.js";
import type { DeploymentHealth } from "../routing/health.js";
import type { ModelTable } from "../routing/model-table.js";
import { keyringOf } from "../secrets/cipher.js";
import type { HotState } from "../state/hot-state.js";

/**
 * The alert log on the data layer, which decides who sends each alert; alerts wait beside the ledger's journal
 * while it is away (none without a store: alerts are still sent, not listed).
 */
function alertLogOf(config: Config, data: Data | undefined): AlertLog | undefined {
  if (!data) return undefined;
  return {
    claim: (rows) => claimAlerts(data, rows),
    closed: (id, deliveries, state) => updateAlert(data, id, deliveries, state),
    spoolDir: config.billing.spool_dir ?? dirname(config.store.path),
  };
}

/** Alerts (`alerts:`), what raises them from settled requests and cooling deployments, and the spend reports. */
export class Alerting {
  readonly alerts: Alerts;
  readonly watch: AlertWatch;
  readonly reports: AlertReports | undefined;

  constructor(
    config: Config,
    hot: HotState,
    logger: Logger,
    private readonly models: ModelTable,
    private readonly health: () => DeploymentHealth,
    data: Data | undefined,
    backoffMs?: readonly number[],
  ) {
    this.alerts = new Alerts(
      config.alerts,
      hot,
      logger,
      backoffMs,
      alertLogOf(config, data),
      keyringOf(config.secrets),
    );
    this.watch = new AlertWatch(this.alerts, hot);
    const timezone = config.billing.timezone;
    this.reports = data
      ? new AlertReports(this.alerts, data, { timezone, window: (period, at) => windowOf(period, at, timezone) })
      : undefined;
  }

  /** A deployment began to cool down: its alert, and its aliases' when every deployment of one is down. */
  cooledDown(d: Deployment, ms: number, why: string): void {
    this.watch.cooledDown(d.name, ms, why);
    if (this.alerts.wants("alias_down")) void this.aliasesDown(d).catch(() => undefined);
  }

  private async aliasesDown(d: Deployment): Promise<void> {
    const aliases = this.models.allDeployments().get(d.id)?.aliases ?? [];
    for (const alias of aliases) {
      const ds = this.models.resolve(alias)?.deployments ?? [];
      const states = await Promise.all(ds.map((x) => this.health().availability(x)));
      if (ds.length > 0 && states.every((s) => s === "cooling"))
        this.watch.aliasDown(
          alias,
          ds.map((x) => x.name),
        );
    }
  }

  /** Stops the reports; alerts waiting for the database are written (or left in the spool for the next process). */
  async close(): Promise<void> {
    this.reports?.stop();
    await this.alerts.close();
  }
}
