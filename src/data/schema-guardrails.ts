/** The guardrails' tables (130_guardrail_policies, 131_guardrail_findings): src/data/guardrail-policies.ts. */

/**
 * A guardrails policy set through the admin API (130): the gateway's (`gateway`), a team's (`team:<id>`), a
 * key's (`key:<id or name>`) or an alias's (`alias:<name>`), as JSON; it replaces the configuration file's for
 * that scope. Never a secret: actions, dry run, detectors, the team's own expressions.
 */
export interface GuardrailPoliciesTable {
  scope: string;
  /** JSON: the policy, as the admin API took it (validated with the configuration's schema). */
  policy: string;
  /** Unix milliseconds. */
  updated_at: number;
}

/** The stored policies' version (130): one row, `current`, moved by every change; every instance polls it. */
export interface GuardrailPolicyVersionTable {
  id: string;
  version: number;
}
