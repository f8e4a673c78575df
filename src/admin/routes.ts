import { admin as alertsRoute } from "./alerts-route.js";
import { admin as auditRoute } from "./audit-route.js";
import { admin as configDeploymentsRoute } from "./config-deployments-route.js";
import { admin as configEntriesRoute } from "./config-entries-route.js";
import type { AdminContext } from "./context.js";
import { admin as deploymentsRoute } from "./deployments-route.js";
import { admin as explainRoute } from "./explain-route.js";
import { admin as guardrailsPolicyRoute } from "./guardrails-policy-route.js";
import { admin as guardrailsRoute } from "./guardrails-route.js";
import { admin as keysRoute } from "./keys-route.js";
import { admin as mcpRoute } from "./mcp-route.js";
import { admin as mcpServersRoute } from "./mcp-servers-route.js";
import { admin as meKeysRoute } from "./me-keys-route.js";
import { admin as meRoutes } from "./me-routes.js";
import { admin as memberCapsRoute } from "./member-caps-route.js";
import { admin as pricesRoute } from "./prices-route.js";
import { admin as requestsRoute } from "./requests-route.js";
import type { AdminModule, AdminRoute } from "./route.js";
import { admin as routingRulesRoute } from "./routing-rules-route.js";
import { admin as sessionsRoute } from "./sessions-route.js";
import { admin as signinSessionsRoute } from "./signin-sessions-route.js";
import { admin as spendRoute } from "./spend-route.js";
import { admin as teamsRoute } from "./teams-route.js";

export type { AdminContext } from "./context.js";

/**
 * The route modules: every file of this folder named `*-route.ts` or `*-routes.ts` that exports `admin` (an
 * AdminModule), in the order of their names. Listed here rather than found by reading the folder: the built
 * command is one bundle (scripts/serve-bundle.mjs) with no folder of modules to read. A route module left out
 * of this list fails test/admin/route-modules.test.ts. Each module's context type names the parts it `needs`,
 * which adminRoutes checks before it calls it.
 */
export const ROUTE_MODULES: readonly AdminModule<never>[] = [
  alertsRoute,
  auditRoute,
  configDeploymentsRoute,
  configEntriesRoute,
  deploymentsRoute,
  explainRoute,
  guardrailsPolicyRoute,
  guardrailsRoute,
  keysRoute,
  mcpRoute,
  mcpServersRoute,
  meKeysRoute,
  meRoutes,
  memberCapsRoute,
  pricesRoute,
  requestsRoute,
  routingRulesRoute,
  sessionsRoute,
  signinSessionsRoute,
  spendRoute,
  teamsRoute,
];

/** Every admin route the context serves: each module's, when the parts it needs are there. */
export async function adminRoutes(c: AdminContext): Promise<AdminRoute[]> {
  const routes: AdminRoute[] = [];
  for (const m of ROUTE_MODULES) {
    // With the parts it needs there, the context is the module's own.
    if (m.needs.every((part) => c[part as keyof AdminContext] !== undefined)) routes.push(...m.routes(c as never));
  }
  return routes;
}

/**
 * Every route of a server with a store and routing, for the OpenAPI document alone (scripts/admin-types.mjs
 * and its test): the routes are described, never run, so they are given no repositories.
 */
export function documentedRoutes(): Promise<AdminRoute[]> {
  const notRun = {} as never;
  return adminRoutes({
    config: { billing: {} },
    teams: notRun,
    keys: notRun,
    data: notRun,
    changed: () => {},
    deployments: async () => [],
    mcpServers: () => [],
    mcp: notRun,
    pricesChanged: async () => {},
    explainRoute: notRun,
  });
}
