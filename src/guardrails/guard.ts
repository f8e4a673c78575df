import type { GuardrailAction, GuardrailsConfig } from "../config/schema-guardrails.js";
import type { HotState } from "../state/hot-state.js";
import type { Block } from "./blocks.js";
import { Detector, knownHits, settle } from "./detect.js";
import { MappingStore } from "./mapping-store.js";
import { placeholderOf } from "./placeholder.js";
import { type PolicyScope, type Resolved, resolvePolicy } from "./policy.js";
import type { RuleGroup } from "./rules.js";
import { Verdicts } from "./verdicts.js";

/** What was found, where, and what was done: what the request log, the headers and the metrics say. Never the value. */
export interface FindingNote {
  readonly rule: string;
  readonly group: RuleGroup;
  readonly location: string;
  /** The action taken (in a dry run: the one that would have been). */
  readonly action: Exclude<GuardrailAction, "off">;
  readonly dryRun: boolean;
}

/** A finding with its value: held by the stage while it masks, never written anywhere. */
export interface Finding extends FindingNote {
  readonly value: string;
}

export interface Inspection {
  /** One note per rule, place and action. */
  readonly notes: FindingNote[];
  readonly blocked: FindingNote[];
  /** The values to mask (none in a dry run). */
  readonly masked: Finding[];
}

/**
 * The guardrails of a gateway: the detector of its configuration, the verdict cache, the caller's masked values
 * kept for conversations llmux resends. `known`: llmux's own configured and learned secrets, read each request.
 */
export class Guardrails {
  readonly detector: Detector;
  readonly verdicts: Verdicts;
  readonly mappings: MappingStore | undefined;

  constructor(
    readonly config: GuardrailsConfig,
    private readonly known: () => readonly string[],
    hot?: HotState | undefined,
  ) {
    this.detector = new Detector({ pii: config.pii, entropy: config.entropy, rules: config.rules });
    this.verdicts = new Verdicts(this.detector, config.cache_entries, hot);
    this.mappings = hot ? new MappingStore(hot, config.mapping_ttl_hours * 3_600_000) : undefined;
  }

  policy(scope: PolicyScope): Resolved {
    return resolvePolicy(this.config, scope);
  }

  /** The findings of a request's texts under a policy; `own`: the caller's own secrets (its key). */
  async inspect(blocks: readonly Block[], policy: Resolved, own: readonly (string | undefined)[]): Promise<Inspection> {
    const known = [...this.known(), ...own.filter((s): s is string => typeof s === "string")];
    const hits = await this.verdicts.hits(blocks.map((b) => b.text));
    const notes = new Map<string, FindingNote>();
    const masked: Finding[] = [];
    blocks.forEach((block, i) => {
      const found = known.length > 0 ? settle([...knownHits(block.text, known), ...hits[i]!]) : hits[i]!;
      for (const h of found) {
        const action = policy.actions[h.group];
        if (action === "off") continue;
        const note: FindingNote = {
          rule: h.rule,
          group: h.group,
          location: block.location,
          action,
          dryRun: policy.dryRun,
        };
        notes.set(`${h.rule}\0${block.location}\0${action}`, note);
        if (action === "mask" && !policy.dryRun) masked.push({ ...note, value: block.text.slice(h.start, h.end) });
      }
    });
    const list = [...notes.values()];
    return { notes: list, blocked: policy.dryRun ? [] : list.filter((n) => n.action === "block"), masked };
  }
}

/** The mapping of the masked values: placeholder → value, each value's placeholder the caller's own. */
export function mappingOf(masked: readonly Finding[], callerSecret: string): Map<string, string> {
  const out = new Map<string, string>();
  for (const f of masked) out.set(placeholderOf(f.value, callerSecret), f.value);
  return out;
}

/** A finding in words: `aws-access-token in message 3 (masked)`. */
export function noteWords(n: FindingNote): string {
  const done = { block: "blocked", mask: "masked", warn: "warned" }[n.action];
  return `${n.rule} in ${n.location} (${n.dryRun ? `dry run: would be ${done}` : done})`;
}

/** The guardrails of a configuration (none when `guardrails.enabled` is off). */
export function guardrailsOf(
  config: GuardrailsConfig,
  configured: readonly string[],
  book: { values(): readonly string[] },
  hot?: HotState | undefined,
): Guardrails | undefined {
  if (!config.enabled) return undefined;
  return new Guardrails(config, () => (book.values().length > 0 ? [...configured, ...book.values()] : configured), hot);
}
