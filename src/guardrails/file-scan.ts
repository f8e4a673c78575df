import type { GuardrailsConfig } from "../config/schema-guardrails.js";
import { Detector, knownHits, settle } from "./detect.js";
import { type PolicyScope, resolvePolicy } from "./policy.js";
import type { RuleGroup } from "./rules.js";

/** What a file would trigger: each finding's rule, group, line and column, and the action; never the value. */
export interface FileFinding {
  readonly rule: string;
  readonly group: RuleGroup;
  readonly line: number;
  readonly column: number;
  readonly action: string;
}

/** The findings of a text under a configuration's guardrails (as its policy stands for `scope`), in order. */
export function scanText(
  text: string,
  config: GuardrailsConfig,
  known: readonly string[] = [],
  scope: PolicyScope = {},
): FileFinding[] {
  const detector = new Detector({ pii: config.pii, entropy: config.entropy, rules: config.rules });
  const policy = resolvePolicy(config, scope);
  const hits = settle([...knownHits(text, known), ...detector.scan(text)]);
  const starts = [0];
  for (let i = text.indexOf("\n"); i >= 0; i = text.indexOf("\n", i + 1)) starts.push(i + 1);
  let line = 0;
  return hits.map((h) => {
    while (line + 1 < starts.length && starts[line + 1]! <= h.start) line++;
    const action = policy.actions[h.group];
    return {
      rule: h.rule,
      group: h.group,
      line: line + 1,
      column: h.start - starts[line]! + 1,
      action: policy.dryRun && action !== "off" ? `${action} (dry run)` : action,
    };
  });
}
