import type { GuardrailAction, GuardrailPolicy, GuardrailsConfig } from "../config/schema-guardrails.js";
import { GUARDRAIL_DEFAULT_ACTIONS } from "../config/shared-values.js";
import { RULE_GROUPS, type RuleGroup } from "./rules.js";

/** The policy a request is scanned under: an action per rule group, and whether it is a dry run. */
export interface Resolved {
  readonly actions: Readonly<Record<RuleGroup, GuardrailAction>>;
  readonly dryRun: boolean;
}

/** Who is asking and for what: the team, the key (its id and name), the alias's own policy. */
export interface PolicyScope {
  readonly teamId?: string | undefined;
  readonly keyId?: string | undefined;
  readonly keyName?: string | undefined;
  readonly alias?: GuardrailPolicy | undefined;
}

/**
 * The gateway's policy, then the team's, the key's and the alias's over it (each only where it says: an action
 * it does not name stays as the level below set it).
 */
export function resolvePolicy(cfg: GuardrailsConfig, scope: PolicyScope): Resolved {
  const actions = { ...GUARDRAIL_DEFAULT_ACTIONS } as Record<RuleGroup, GuardrailAction>;
  let dryRun = cfg.dry_run;
  const levels: (GuardrailPolicy | undefined)[] = [
    { actions: cfg.actions },
    scope.teamId !== undefined ? cfg.teams[scope.teamId] : undefined,
    (scope.keyId !== undefined ? cfg.keys[scope.keyId] : undefined) ??
      (scope.keyName !== undefined ? cfg.keys[scope.keyName] : undefined),
    scope.alias,
  ];
  for (const level of levels) {
    if (!level) continue;
    for (const g of RULE_GROUPS) {
      const a = level.actions?.[g];
      if (a !== undefined) actions[g] = a;
    }
    if (level.dry_run !== undefined) dryRun = level.dry_run;
  }
  return { actions, dryRun };
}

/** The policy of guardrails that are not enabled: nothing is acted on. */
export const OFF: Resolved = {
  actions: Object.fromEntries(RULE_GROUPS.map((g) => [g, "off"])) as Record<RuleGroup, GuardrailAction>,
  dryRun: false,
};

/** Whether the policy does anything at all. */
export function active(p: Resolved): boolean {
  return RULE_GROUPS.some((g) => p.actions[g] !== "off");
}
