import { readdirSync } from "node:fs";
import { dirname } from "node:path";
import { fileURLToPath } from "node:url";
import type { AdminContext } from "./context.js";
import type { AdminModule, AdminRoute } from "./route.js";

export type { AdminContext } from "./context.js";

/**
 * The route modules: every file of this folder named `*-route.ts` or `*-routes.ts` that exports `admin` (an
 * AdminModule), in the order of their names. A new route is a new module: nothing here lists it.
 */
async function routeModules(): Promise<AdminModule<AdminContext>[]> {
  const here = dirname(fileURLToPath(import.meta.url));
  const files = readdirSync(here)
    .filter((f) => /-routes?\.(js|ts)$/.test(f))
    .sort();
  const modules: AdminModule<AdminContext>[] = [];
  for (const file of files) {
    const m = (await import(/* @vite-ignore */ `./${file}`)) as { admin?: AdminModule<AdminContext> };
    if (m.admin) modules.push(m.admin);
  }
  return modules;
}

/** Every admin route the context serves: each module's, when the parts it needs are there. */
export async function adminRoutes(c: AdminContext): Promise<AdminRoute[]> {
  const routes: AdminRoute[] = [];
  for (const m of await routeModules())
    if (m.needs.every((part) => c[part as keyof AdminContext] !== undefined)) routes.push(...m.routes(c));
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
