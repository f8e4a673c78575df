import type { Deployment, Routing } from "../routing/deployments.js";
import type { DeploymentHealth } from "../routing/health.js";
import type { DeploymentRow } from "./deployments-route.js";

/** The rows of GET /admin/v1/deployments, read from the shared state. */
export async function deploymentRows(
  all: Map<string, { d: Deployment; aliases: string[]; routing: Routing }>,
  health: DeploymentHealth,
): Promise<DeploymentRow[]> {
  return Promise.all(
    [...all.values()].map(async ({ d, aliases, routing }) => {
      const v = await health.view(d, routing);
      return {
        id: d.id,
        name: d.name,
        provider: d.provider.name,
        model: d.model,
        aliases,
        weight: d.weight,
        rpm: d.rpm ?? null,
        tpm: d.tpm ?? null,
        healthy: v.cooling_until === null,
        ...v,
        error_rate: v.window_requests > 0 ? Math.round((v.window_errors / v.window_requests) * 1000) / 1000 : 0,
      };
    }),
  );
}
