/**
 * The gateway's admission (every route that spends runs it): the key's allow-lists, then any admission the
 * embedder passed in, then limits and budgets (src/limits/admission.ts) over the data layer when there is one.
 */
import type { Billing } from "../billing/billing.js";
import type { Config } from "../config/schema.js";
import type { Data } from "../data/data.js";
import type { Identifier } from "../identity/identify.js";
import { limitsAdmission } from "../limits/admission.js";
import { allowListAdmission } from "../limits/allow-list.js";
import type { Logger } from "../log/logger.js";
import type { Alerts } from "../observe/alerts.js";
import { RoutingDeps } from "../pipeline/route-rules.js";
import { type ConfigTargets, StoredConfig } from "../pipeline/stored-config.js";
import { StoredRules } from "../pipeline/stored-rules.js";
import { type Admission, chainAdmissions } from "../request/admission.js";
import type { ModelTable } from "../routing/model-table.js";
import type { Keyring } from "../secrets/cipher.js";
import type { HotState } from "../state/hot-state.js";
import { routeExplainer } from "./route-explainer.js";
import type { TeamParts } from "./team-parts.js";

export function gatewayAdmission(
  config: Config,
  logger: Logger,
  hot: HotState,
  billing: Billing,
  data: Data | undefined,
  alerts: Alerts,
  extra: Admission | undefined,
): Admission {
  return allowListAdmission(
    chainAdmissions(
      extra,
      limitsAdmission({
        hot,
        billing,
        data,
        timezone: config.billing.timezone,
        alertAt: config.billing.alert_at,
        budgetWaitMs: config.billing.budget_wait_ms,
        users: config.billing.users,
        tags: config.tags,
        warn: (fields, msg) => logger.warn(fields, msg),
        alert: (e) => {
          if (alerts.wants(e.rule)) void alerts.fire(e);
        },
      }),
    ),
  );
}

/**
 * Routing rules (`routing.rules`, or those the admin API stored: read from the database and polled), soft
 * budgets (`budget.downgrade`), with their alert, and the models and providers stored at runtime (polled every
 * second, put in force on `live`'s providers and model table; the stored rules are checked again after each).
 */
export function gatewayRouting(
  config: Config,
  alerts: Alerts,
  team: TeamLayer | undefined,
  logger: Logger,
  live?: Omit<ConfigTargets, "changed"> & { observe: { relabel(config: Config): void } },
  explained?: { identifier: Identifier; models: ModelTable },
): { routing: RoutingDeps; stop?: () => void } {
  const routing = new RoutingDeps(
    config.routing.rules,
    config.billing.timezone,
    { users: config.billing.users, tags: config.tags },
    (e) => {
      if (alerts.wants(e.rule)) void alerts.fire(e);
    },
  );
  if (!team) return { routing };
  // POST /admin/v1/routing/explain: this gateway's decision, its rules in force.
  if (explained) team.explainRoute = routeExplainer({ config, ...explained, routing });
  let models: Config["models"] = config.models;
  const stored = new StoredRules(routing, team.data, logger, () => models);
  team.routingChanged = () => stored.check();
  team.layers.rules = stored;
  const layer = live
    ? new StoredConfig(config, team.data, team.keyring, logger, {
        ...live,
        changed: (merged) => {
          models = merged.models;
          live.observe.relabel(merged);
          stored.refit();
        },
      })
    : undefined;
  if (layer) {
    team.configChanged = () => layer.check();
    team.layers.config = layer;
  }
  return {
    routing,
    stop: () => {
      stored.stop();
      layer?.stop();
    },
  };
}

/** What the stored layers need of the team's parts: the database, the master key, and the hooks the admin API calls. */
interface TeamLayer {
  data: Data;
  keyring: Keyring | undefined;
  routingChanged: (() => Promise<void>) | undefined;
  configChanged: (() => Promise<void>) | undefined;
  explainRoute: TeamParts["explainRoute"];
  layers: TeamParts["layers"];
}
