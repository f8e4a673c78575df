import { z } from "zod";
import {
  GuardrailPolicySchema,
  type GuardrailsConfig,
  GuardrailsGatewayPolicySchema,
  GuardrailsSchema,
} from "../config/schema-guardrails.js";
import { GUARDRAIL_DEFAULT_ACTIONS } from "../config/shared-values.js";
import type { Data } from "../data/data.js";
import { storedGuardrailPolicies, storeGuardrailPolicy } from "../data/guardrail-policies.js";
import { layered, type PolicyKind, type StoredLayer, scopeOf } from "../guardrails/layer.js";
import { layerOf } from "../guardrails/layer-parse.js";
import type { AdminContext, Given } from "./context.js";
import { AdminError, type AdminModule, type AdminRoute } from "./route.js";

const Action = z.enum(["block", "mask", "warn", "off"]);
const Actions = z.record(z.string(), Action);
const Policy = z.object({ actions: Actions.optional(), dry_run: z.boolean().optional() });

/** The policy in force (the file's with what the admin API stored over it), as GET /admin/v1/guardrails shows it. */
export const PolicyInForce = z
  .object({
    actions: Actions.describe("The gateway's action per rule group (over the defaults)."),
    dry_run: z.boolean(),
    pii: z.boolean(),
    entropy: z.boolean(),
    custom_rules: z.array(z.string()).describe("The ids of the custom rules in force (never their patterns here)."),
    teams: z.record(z.string(), Policy).describe("Per-team policies, by team id."),
    keys: z.record(z.string(), Policy).describe("Per-key policies, by key id or name."),
    aliases: z.record(z.string(), Policy).describe("Per-alias policies set through the admin API."),
  })
  .describe("The policy every instance applies: the configuration file's, with the stored policies over it.");

export const GuardrailsPolicyAnswer = z
  .object({
    enabled: z.boolean(),
    version: z.number().int().describe("Moves with each change through the admin API; 0: none stored."),
    policy: PolicyInForce,
    stored: z
      .object({
        gateway: GuardrailsGatewayPolicySchema.nullable().describe("The gateway's policy set here (null: none)."),
        teams: z.record(z.string(), GuardrailPolicySchema),
        keys: z.record(z.string(), GuardrailPolicySchema),
        aliases: z.record(z.string(), GuardrailPolicySchema),
      })
      .describe("What the admin API stored over the configuration file (custom rules with their patterns)."),
  })
  .meta({ id: "GuardrailsPolicy" });

type Answer = z.infer<typeof GuardrailsPolicyAnswer>;

const FILE_DEFAULT = GuardrailsSchema.parse(undefined);

/** The policy in force as the API shows it. */
export function policyInForce(cfg: GuardrailsConfig, layer: StoredLayer): z.infer<typeof PolicyInForce> {
  return {
    actions: { ...GUARDRAIL_DEFAULT_ACTIONS, ...cfg.actions },
    dry_run: cfg.dry_run,
    pii: cfg.pii,
    entropy: cfg.entropy,
    custom_rules: cfg.rules.map((r) => r.id),
    teams: cfg.teams,
    keys: cfg.keys,
    aliases: { ...layer.aliases },
  };
}

/** The configuration file's guardrails with the stored policies over them, and what is stored. */
export async function guardrailsInForce(
  data: Data,
  file: GuardrailsConfig | undefined,
): Promise<{ config: GuardrailsConfig; layer: StoredLayer; version: number }> {
  const stored = await storedGuardrailPolicies(data);
  const { layer } = layerOf(stored.policies);
  return { config: layered(file ?? FILE_DEFAULT, layer), layer, version: stored.version };
}

async function current(data: Data, file: GuardrailsConfig | undefined): Promise<Answer> {
  const { config, layer, version } = await guardrailsInForce(data, file);
  return {
    enabled: config.enabled,
    version,
    policy: policyInForce(config, layer),
    stored: { gateway: layer.gateway ?? null, teams: layer.teams, keys: layer.keys, aliases: layer.aliases },
  };
}

const MAX_ID = 200;

/** A scope's id as stored: a team's id (by its id or name), a key's id or name, a configured alias. */
async function idOf(c: AdminContext, kind: Exclude<PolicyKind, "gateway">, id: string): Promise<string> {
  if (id.length === 0 || id.length > MAX_ID)
    throw new AdminError(400, `${kind} must be 1 to ${MAX_ID} characters`, kind);
  if (kind === "team") {
    const team = await c.teams.idOf(id);
    if (!team) throw new AdminError(404, `no such team: ${id}`, "team");
    return team;
  }
  if (kind === "alias" && !Object.hasOwn(c.config.models ?? {}, id))
    throw new AdminError(400, `alias '${id}' is not one of the configuration's models`, "alias");
  return id;
}

const PLURAL = { team: "teams", key: "keys", alias: "aliases" } as const;

/**
 * The guardrails' policy set at run time, for every instance without a restart (each reads it within a
 * second; this one at once): `PUT /admin/v1/guardrails` (the gateway's policy: each field it names in place of
 * the configuration file's), `PUT /admin/v1/guardrails/{teams|keys|aliases}/{id}` (one team's, key's or
 * alias's, in place of the file's for it), `DELETE` of each (back to the file's). Every change is in the audit
 * log (before and after: actions, detectors, custom rules with their patterns; never a secret).
 */
export function guardrailsPolicyRoutes(c: Given<"data">): AdminRoute[] {
  const data = c.data;
  const file = c.config.guardrails;
  const read = () => current(data, file);
  const changed = async () => {
    await c.guardrailsChanged?.();
    return read();
  };
  const gateway: AdminRoute[] = [
    {
      method: "GET",
      path: "/admin/v1/guardrails/policy",
      summary: "The guardrails' policy in force, and what the admin API stored over the configuration file",
      status: 200,
      answer: GuardrailsPolicyAnswer,
      run: read,
    },
    {
      method: "PUT",
      path: "/admin/v1/guardrails",
      summary: "Set the gateway's guardrails policy for every instance (the fields given, over the file's)",
      audit: { action: "guardrails.update", target: "guardrails", read },
      body: GuardrailsGatewayPolicySchema,
      status: 200,
      answer: GuardrailsPolicyAnswer,
      run: async ({ body }) => {
        await storeGuardrailPolicy(data, scopeOf("gateway"), JSON.stringify(body));
        return changed();
      },
    },
    {
      method: "DELETE",
      path: "/admin/v1/guardrails",
      summary: "Remove the gateway's guardrails policy set through the API (the file's applies again)",
      audit: { action: "guardrails.reset", target: "guardrails", read },
      status: 200,
      answer: GuardrailsPolicyAnswer,
      run: async () => {
        await storeGuardrailPolicy(data, scopeOf("gateway"), null);
        return changed();
      },
    },
  ];
  const scoped = (["team", "key", "alias"] as const).flatMap((kind): AdminRoute[] => [
    {
      method: "PUT",
      path: `/admin/v1/guardrails/${PLURAL[kind]}/{id}`,
      summary: `Set one ${kind}'s guardrails policy for every instance (in place of the file's for it)`,
      audit: { action: `guardrails.${kind}.update`, target: "guardrails", read },
      body: GuardrailPolicySchema,
      status: 200,
      answer: GuardrailsPolicyAnswer,
      run: async ({ params, body }) => {
        await storeGuardrailPolicy(data, scopeOf(kind, await idOf(c, kind, params.id!)), JSON.stringify(body));
        return changed();
      },
    },
    {
      method: "DELETE",
      path: `/admin/v1/guardrails/${PLURAL[kind]}/{id}`,
      summary: `Remove one ${kind}'s guardrails policy set through the API`,
      audit: { action: `guardrails.${kind}.reset`, target: "guardrails", read },
      status: 200,
      answer: GuardrailsPolicyAnswer,
      run: async ({ params }) => {
        await storeGuardrailPolicy(data, scopeOf(kind, await idOf(c, kind, params.id!)), null);
        return changed();
      },
    },
  ]);
  return [...gateway, ...scoped];
}

/** The guardrails' policy, stored in the database. */
export const admin: AdminModule<Given<"data">> = {
  needs: ["data"],
  routes: guardrailsPolicyRoutes,
};
