/**
 * `POST /admin/v1/routing/explain`: for a request (its path, headers and body) and a client key, the routing
 * decision the gateway would take, without sending it — the rule that held and why, the alias, its
 * deployments, the `llmux-route` header its answer would carry, or why it would be refused. What
 * `llmux route --explain` says, on the running gateway (its stored rules included); the web UI playground's
 * "explain" panel asks it. The key is used to identify the caller, never stored, logged or answered.
 */
import { z } from "zod";
import type { Explained } from "../pipeline/explain.js";
import type { ExplainAsk, Given } from "./context.js";
import type { AdminModule, AdminRoute } from "./route.js";

export const ExplainBody = z
  .object({
    path: z
      .string()
      .min(1)
      .max(2000)
      .optional()
      .describe("The generation route the request would be sent to (default /v1/messages)."),
    headers: z
      .record(z.string().max(200), z.string().max(8192))
      .refine((h) => Object.keys(h).length <= 100, "at most 100 headers")
      .optional()
      .describe("The request's headers (the calling tool's, its agent's, llmux-tags); key headers are ignored."),
    body: z.record(z.string(), z.unknown()).describe("The request's body, as the client would send it."),
    key: z.string().max(1000).optional().describe("The client key to explain it for (none: as an unkeyed caller)."),
  })
  .strict();

const ExplainAnswer = z
  .object({
    requested: z.string().optional().describe("The model asked for."),
    client: z.string().optional().describe("The calling tool, as the rules see it."),
    agent: z.enum(["main", "sub"]),
    tags: z.array(z.string()),
    rule: z.object({ name: z.string(), why: z.string() }).optional().describe("The routing rule that held, and why."),
    alias: z.string().optional(),
    via: z.string().optional().describe("How the alias was reached (a rule, a pattern, a case-folded name)."),
    deployments: z.array(z.string()).describe("Its deployments, the one tried first first."),
    upstreamModel: z.string().optional(),
    passthrough: z.boolean().optional(),
    route: z.string().optional().describe("The llmux-route header its answer would carry."),
    refused: z
      .object({ status: z.number(), message: z.string() })
      .optional()
      .describe("Why it would be refused (no such model, the key may not use it, the request is invalid)."),
  })
  .meta({ id: "RouteExplained" });

function routes(c: Given<"explainRoute">): AdminRoute[] {
  return [
    {
      method: "POST",
      path: "/admin/v1/routing/explain",
      summary: "The routing decision for a request and a key, without sending it",
      body: ExplainBody,
      status: 200,
      answer: ExplainAnswer,
      run: ({ body }): Promise<Explained> => c.explainRoute(body as ExplainAsk),
    },
  ];
}

/** Served where a gateway runs (its model table and rules): not by the CLI on the store. */
export const admin: AdminModule<Given<"explainRoute">> = { needs: ["explainRoute"], routes };
