import { z } from "zod";
import { type AdminModule, type AdminRoute, listOf, listRoute } from "./route.js";

export const DeploymentView = z
  .object({
    id: z.string().describe("provider/model: shared by every alias that uses the deployment."),
    name: z.string(),
    provider: z.string(),
    model: z.string(),
    aliases: z.array(z.string()).describe("The aliases it serves."),
    weight: z.number(),
    healthy: z.boolean().describe("False while cooling down."),
    cooling_until: z.string().nullable().describe("ISO time its cooldown ends; null when it takes traffic."),
    half_open: z.boolean().describe("Cooled down by errors: the next request after the cooldown is a single probe."),
    in_flight: z.number().int(),
    ttft_ms: z.number().nullable().describe("Moving average of time to first answer, ms."),
    window_requests: z
      .number()
      .int()
      .describe("Requests in the current error window (routing.window_s) and the one before it."),
    window_errors: z
      .number()
      .int()
      .describe("Deployment failures in the current error window (routing.window_s) and the one before it."),
    error_rate: z.number().describe("window_errors / window_requests (0 when idle)."),
    rpm: z.number().int().nullable().describe("Declared requests per minute (null: none)."),
    tpm: z.number().int().nullable().describe("Declared tokens per minute (null: none)."),
    rpm_used: z
      .number()
      .int()
      .nullable()
      .describe("Requests taken from the `rpm` bucket (it refills evenly over a minute)."),
    tpm_used: z
      .number()
      .int()
      .nullable()
      .describe("Tokens taken from the `tpm` bucket (it refills evenly over a minute)."),
  })
  .meta({ id: "Deployment" });

export const DeploymentList = listOf(DeploymentView, "DeploymentList");

export type DeploymentRow = z.infer<typeof DeploymentView>;

/** `GET /admin/v1/deployments`: each deployment's health, as every instance sees it (the shared state). */
export function deploymentRoutes(list: () => Promise<DeploymentRow[]>): AdminRoute[] {
  return [
    listRoute(
      "/admin/v1/deployments",
      "Each deployment: healthy or cooling down until when, recent error rate, latency, requests in flight",
      DeploymentList,
      list,
    ),
  ];
}

/** The deployments' health, where a gateway runs (the CLI on the store has none). */
export const admin: AdminModule<{ deployments: () => Promise<DeploymentRow[]> }> = {
  needs: ["deployments"],
  routes: (c) => deploymentRoutes(c.deployments),
};
