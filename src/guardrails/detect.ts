import { createHash } from "node:crypto";
import { PII_RULES } from "./pii.js";
import { ENTROPY_RULE, type Rule, type RuleGroup, SECRET_RULES } from "./rules.js";

/** A secret found in a text: which rule, and where (the value is the text's own `text.slice(start, end)`). */
export interface Hit {
  readonly rule: string;
  readonly group: RuleGroup;
  readonly start: number;
  readonly end: number;
}

/** A team's own rule (`guardrails.rules`). */
export interface CustomRule {
  readonly id: string;
  readonly pattern: string;
  readonly group?: RuleGroup | undefined;
}

export interface DetectorOptions {
  /** The optional personal-data detectors. */
  readonly pii?: boolean | undefined;
  /** The entropy check with keyword context (on by default). */
  readonly entropy?: boolean | undefined;
  readonly rules?: readonly CustomRule[] | undefined;
}

/** Known secrets shorter than this are not looked for (they would match words). */
const MIN_KNOWN = 8;

/**
 * The detection of the guardrails: pure, no I/O. The public rule set, the entropy check with keyword context,
 * the team's own expressions, the optional personal-data detectors; `known` (llmux's configured secrets, the
 * caller's key) is looked for separately, each request, as its values differ from caller to caller.
 */
export class Detector {
  readonly rules: readonly Rule[];
  /** Names the rule set: a cached verdict of another rule set is not this one's. */
  readonly fingerprint: string;

  constructor(opts: DetectorOptions = {}) {
    const custom: Rule[] = (opts.rules ?? []).map((c) => ({
      id: c.id,
      group: c.group ?? "custom",
      pattern: new RegExp(c.pattern, "dg"),
    }));
    this.rules = [
      ...SECRET_RULES,
      ...(opts.entropy === false ? [] : [ENTROPY_RULE]),
      ...(opts.pii ? PII_RULES : []),
      ...custom,
    ];
    // Longest first: where two start at one place, the longer is matched and the shorter noted with it.
    const keywords = [...new Set(this.rules.flatMap((x) => x.keywords ?? []))].sort((a, b) => b.length - a.length);
    this.keywords =
      keywords.length > 0
        ? new RegExp(keywords.map((k) => k.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")).join("|"), "g")
        : undefined;
    for (const k of keywords) {
      const shorter = keywords.filter((o) => o !== k && k.startsWith(o));
      if (shorter.length > 0) this.prefixes.set(k, shorter);
    }
    const sources = this.rules.map((x) => `${x.id}:${x.group}:${x.pattern.source}`).join("|");
    this.fingerprint = `v2:${createHash("sha256").update(sources).digest("base64url").slice(0, 16)}`;
  }

  /** Every keyword of every rule, as one expression: the text is searched for all of them in one pass. */
  private readonly keywords: RegExp | undefined;
  /** The keywords another keyword starts with (found wherever it is). */
  private readonly prefixes = new Map<string, string[]>();

  /** The rules' keywords a text holds (one pass over it; a keyword inside another is found too). */
  private keywordsIn(text: string): Set<string> {
    const found = new Set<string>();
    const re = this.keywords;
    if (!re) return found;
    re.lastIndex = 0;
    for (let m = re.exec(text); m !== null; m = re.exec(text)) {
      found.add(m[0]);
      const also = this.prefixes.get(m[0]);
      if (also) for (const k of also) found.add(k);
      re.lastIndex = m.index + 1;
    }
    return found;
  }

  /**
   * Every rule's hits in a text, overlaps resolved (settle). A rule with keywords runs only on a text that holds
   * one of them (gitleaks' pre-filter), the keywords all looked for in one pass.
   */
  scan(text: string): Hit[] {
    const hits: Hit[] = [];
    const present = this.keywordsIn(text);
    for (const rule of this.rules) {
      if (rule.keywords && !rule.keywords.some((k) => present.has(k))) continue;
      const re = rule.pattern;
      re.lastIndex = 0;
      for (let m = re.exec(text); m !== null; m = re.exec(text)) {
        if (m[0].length === 0) {
          re.lastIndex++;
          continue;
        }
        const span = m.indices?.[1] ?? m.indices?.[0];
        if (!span) continue;
        const [start, end] = span;
        if (rule.check && !rule.check(text.slice(start, end))) continue;
        hits.push({ rule: rule.id, group: rule.group, start, end });
      }
    }
    return settle(hits);
  }
}

/** Hits of `known` secrets (exact values) in a text. */
export function knownHits(text: string, known: readonly string[], rule = "llmux-secret"): Hit[] {
  const hits: Hit[] = [];
  const group: RuleGroup = rule === "llmux-secret" ? "llmux" : "secrets";
  for (const secret of known) {
    if (secret.length < MIN_KNOWN) continue;
    for (let at = text.indexOf(secret); at >= 0; at = text.indexOf(secret, at + secret.length))
      hits.push({ rule, group, start: at, end: at + secret.length });
  }
  return hits;
}

/**
 * Hits sorted by position, each overlap kept once: a rule that knows the secret's shape over the generic entropy
 * check (`token: GITHUB_TOKEN=ghp_…` is a GitHub token, whatever the entropy check also saw there, and its group's
 * action applies), then the earliest, then the longest.
 */
export function settle(hits: Hit[]): Hit[] {
  if (hits.length < 2) return hits;
  if (!hits.some((h) => h.group === "entropy")) return byPosition(hits);
  const kept = byPosition(hits.filter((h) => h.group !== "entropy"));
  const free = hits.filter((g) => g.group === "entropy" && !kept.some((k) => g.start < k.end && k.start < g.end));
  return free.length === 0 ? kept : byPosition([...kept, ...free]);
}

function byPosition(hits: Hit[]): Hit[] {
  if (hits.length < 2) return hits;
  hits.sort((a, b) => a.start - b.start || b.end - a.end);
  const out: Hit[] = [];
  for (const h of hits) {
    const last = out[out.length - 1];
    if (last && h.start < last.end) continue;
    out.push(h);
  }
  return out;
}
