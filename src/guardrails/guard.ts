import type { GuardrailAction, GuardrailPolicy, GuardrailsConfig } from "../config/schema-guardrails.js";
import type { HotState } from "../state/hot-state.js";
import type { Block } from "./blocks.js";
import { Detector, knownHits, settle } from "./detect.js";
import { MappingStore } from "./mapping-store.js";
import { placeholderOf } from "./placeholder.js";
import { active, OFF, type PolicyScope, type Resolved, resolvePolicy } from "./policy.js";
import type { RuleGroup } from "./rules.js";
import { Verdicts } from "./verdicts.js";

/** How long an instance trusts what it remembers of a caller's masked values before reading the hot state again. */
const REMEMBER_MS = 10_000;
const REMEMBER_OWNERS = 1_000;

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
  detector: Detector;
  verdicts: Verdicts;
  readonly mappings: MappingStore | undefined;
  private current: GuardrailsConfig;
  /** Aliases' policies set at run time (the admin API), over the configuration file's. */
  private aliases: Readonly<Record<string, GuardrailPolicy>> = {};

  constructor(
    config: GuardrailsConfig,
    private readonly known: () => readonly string[],
    private readonly hot?: HotState | undefined,
  ) {
    this.current = config;
    this.detector = new Detector({ pii: config.pii, entropy: config.entropy, rules: config.rules });
    this.verdicts = new Verdicts(this.detector, config.cache_entries, hot);
    this.mappings = hot ? new MappingStore(hot, config.mapping_ttl_hours * 3_600_000) : undefined;
  }

  /** The configuration in force: the file's, or the one the admin API stored over it (`apply`). */
  get config(): GuardrailsConfig {
    return this.current;
  }

  /**
   * Puts a policy in force at run time (the admin API's, read by every instance): the detector is made again
   * only when what it finds changed (the detectors on, the team's own expressions); `aliases`: the aliases'
   * policies set at run time, each in place of the file's for that alias.
   */
  apply(config: GuardrailsConfig, aliases: Readonly<Record<string, GuardrailPolicy>> = {}): void {
    const was = this.current;
    this.current = config;
    this.aliases = aliases;
    const same =
      was.pii === config.pii &&
      was.entropy === config.entropy &&
      was.cache_entries === config.cache_entries &&
      JSON.stringify(was.rules) === JSON.stringify(config.rules);
    if (same) return;
    this.detector = new Detector({ pii: config.pii, entropy: config.entropy, rules: config.rules });
    this.verdicts = new Verdicts(this.detector, config.cache_entries, this.hot);
  }

  private readonly remembered = new Map<string, { at: number; values: Map<string, string> }>();

  /**
   * The values masked for a caller before (placeholder → value): read from the hot state at most every
   * `REMEMBER_MS` per caller and instance, kept here meanwhile (at most `REMEMBER_OWNERS` callers).
   */
  async earlier(owner: string, callerSecret: string): Promise<Map<string, string>> {
    const now = Date.now();
    const kept = this.remembered.get(owner);
    if (kept && now - kept.at < REMEMBER_MS) return kept.values;
    let values = kept?.values ?? new Map<string, string>();
    if (this.mappings) {
      try {
        values = new Map([...values, ...(await this.mappings.load(owner, callerSecret))]);
      } catch {
        // The hot state is away: what this instance remembers still counts.
      }
    }
    this.keep(owner, values, now);
    return values;
  }

  /** Remembers what was masked for a caller now, here and in the hot state. */
  async remember(owner: string, callerSecret: string, mapping: ReadonlyMap<string, string>): Promise<void> {
    const kept = this.remembered.get(owner);
    this.keep(owner, new Map([...(kept?.values ?? []), ...mapping]), kept?.at ?? 0);
    await this.mappings?.save(owner, callerSecret, mapping).catch(() => undefined);
  }

  private keep(owner: string, values: Map<string, string>, at: number): void {
    this.remembered.delete(owner);
    this.remembered.set(owner, { at, values });
    if (this.remembered.size > REMEMBER_OWNERS) this.remembered.delete(this.remembered.keys().next().value!);
  }

  /** The policy of a scope; every group off while the guardrails are not enabled. */
  policy(scope: PolicyScope): Resolved {
    return this.current.enabled ? resolvePolicy(this.current, scope) : OFF;
  }

  /**
   * The policy of a request: its caller's team and key (`name`: the key's), then its alias's (`aliasName`'s
   * policy set at run time, else the file's `alias`).
   */
  policyOf(
    caller: {
      readonly teamId?: string | undefined;
      readonly keyId?: string | undefined;
      readonly name?: string | undefined;
    },
    alias: PolicyScope["alias"],
    aliasName?: string | undefined,
  ): Resolved {
    const set = aliasName !== undefined ? this.aliases[aliasName] : undefined;
    return this.policy({ teamId: caller.teamId, keyId: caller.keyId, keyName: caller.name, alias: set ?? alias });
  }

  /**
   * The findings of a request's texts under a policy; `own`: the caller's own secrets (its key); `earlier`: the
   * values masked for this caller before (found wherever they are now, out of the context a rule needed, and
   * masked again).
   */
  async inspect(
    blocks: readonly Block[],
    policy: Resolved,
    own: readonly (string | undefined)[],
    earlier: readonly string[] = [],
  ): Promise<Inspection> {
    if (!active(policy)) return { notes: [], blocked: [], masked: [] };
    const known = [...this.known(), ...own.filter((s): s is string => typeof s === "string")];
    const hits = await this.verdicts.hits(blocks.map((b) => b.text));
    const notes = new Map<string, FindingNote>();
    const masked: Finding[] = [];
    const earlierSet = new Set(earlier);
    blocks.forEach((block, i) => {
      // On the same span, llmux's own secret wins, then the rule that found it, then "masked before".
      const own = known.length > 0 ? knownHits(block.text, known) : [];
      const before = earlier.length > 0 ? knownHits(block.text, earlier, MASKED_EARLIER) : [];
      const found = own.length + before.length > 0 ? settle([...own, ...hits[i]!, ...before]) : hits[i]!;
      for (const h of found) {
        // A value masked before is masked again, whichever rule finds it now (unless that rule blocks).
        const groupAction = policy.actions[h.group];
        const again =
          h.rule === MASKED_EARLIER || (before.length > 0 && earlierSet.has(block.text.slice(h.start, h.end)));
        const action = again && groupAction !== "block" ? "mask" : groupAction;
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

/** The rule of a value masked for the caller before, found again (it is masked again, whatever its group). */
export const MASKED_EARLIER = "masked-earlier";

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

/**
 * The guardrails of a configuration (none when `guardrails.enabled` is off, unless `always`: a gateway whose
 * policy the admin API may turn on at run time).
 */
export function guardrailsOf(
  config: GuardrailsConfig,
  configured: readonly string[],
  book: { values(): readonly string[] },
  hot?: HotState | undefined,
  always = false,
): Guardrails | undefined {
  if (!config.enabled && !always) return undefined;
  return new Guardrails(config, () => (book.values().length > 0 ? [...configured, ...book.values()] : configured), hot);
}
