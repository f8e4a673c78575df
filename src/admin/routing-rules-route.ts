import { z } from "zod";
import { MAX_RULES, RuleSchema, ruleProblems } from "../config/schema-rules.js";
import type { Data } from "../data/data.js";
import { storedRoutingRules, storeRoutingRules } from "../data/routing-rules.js";
import type { Keyring } from "../secrets/cipher.js";
import { readLayer } from "./config-layer.js";
import type { AdminConfig, Given } from "./context.js";
import { AdminError, type AdminModule, type AdminRoute } from "./route.js";

export const RoutingRulesBody = z
  .object({
    rules: z
      .array(RuleSchema)
      .max(MAX_RULES)
      .describe("Every rule, in order (the first that holds routes the request): {name, match, route}."),
  })
  .strict();

export const RoutingRulesAnswer = z
  .object({
    source: z.enum(["config", "stored"]).describe("config: the configuration's routing.rules; stored: set here."),
    version: z.number().int().describe("Moves with each update; 0: none stored."),
    updated_at: z.string().nullable().describe("When they were stored (ISO time)."),
    rules: z.array(z.looseObject({ name: z.string(), route: z.string() })).describe("The rules in force, in order."),
  })
  .meta({ id: "RoutingRules" });

async function current(data: Data, config: AdminConfig) {
  const s = await storedRoutingRules(data);
  if (!s) return { source: "config" as const, version: 0, updated_at: null, rules: config.routing?.rules ?? [] };
  return {
    source: "stored" as const,
    version: s.version,
    updated_at: new Date(s.updated_at).toISOString(),
    rules: JSON.parse(s.rules) as z.infer<typeof RuleSchema>[],
  };
}

/**
 * `GET /admin/v1/routing/rules`: the routing rules in force (the configuration's, until some are stored);
 * `POST` replaces them whole, for every instance (each reads them on its next poll; this one at once). A list
 * naming an alias that is not configured, or a name twice, is refused with the field named.
 */
export function routingRuleRoutes(
  data: Data,
  config: AdminConfig,
  changed?: () => Promise<void> | undefined,
  keyring?: Keyring | undefined,
): AdminRoute[] {
  return [
    {
      method: "GET",
      path: "/admin/v1/routing/rules",
      summary: "The routing rules in force, in order",
      status: 200,
      answer: RoutingRulesAnswer,
      run: () => current(data, config),
    },
    {
      method: "POST",
      path: "/admin/v1/routing/rules",
      summary: "Replace the routing rules: every instance routes by them without a restart",
      audit: { action: "routing_rules.update", target: "routing_rules", read: () => current(data, config) },
      body: RoutingRulesBody,
      status: 200,
      answer: RoutingRulesAnswer,
      run: async ({ body }) => {
        const b = body as z.infer<typeof RoutingRulesBody>;
        // The aliases in force: the file's and those stored at runtime (/admin/v1/config/models).
        const stored = await readLayer(data, keyring);
        const problems = ruleProblems(b.rules, { ...config.models, ...stored.layer.models }, "rules");
        if (problems.length > 0) {
          const first = problems[0]!;
          throw new AdminError(400, problems.join("; "), first.slice(0, first.indexOf(":")));
        }
        await storeRoutingRules(data, JSON.stringify(b.rules));
        await changed?.();
        return current(data, config);
      },
    },
  ];
}

/** The routing rules, stored in the database. */
export const admin: AdminModule<Given<"data">> = {
  needs: ["data"],
  routes: (c) => routingRuleRoutes(c.data, c.config, c.routingChanged, c.keyring),
};
