/**
 * The guardrails on the routes that are not chat (embeddings' inputs, fill-in-the-middle's prompt and suffix,
 * rerank's query and documents): the gateway's guardrail policy (its team's, key's and alias's, as a chat
 * request's) over the texts that would leave for the upstream, through the guardrails' public API only. A block
 * refuses the request (400 `guardrail_blocked`, naming the rules and places, never a value); a mask replaces
 * each value by its placeholder in the texts sent (the caller's own placeholder, as on chat), with the mapping
 * kept for the answers that carry text back (fill-in-the-middle's); every finding is said in llmux-warnings.
 */
import { createHash, randomBytes } from "node:crypto";
import type { Block } from "../guardrails/blocks.js";
import { type FindingNote, type Guardrails, mappingOf, noteWords } from "../guardrails/guard.js";
import { bodyForms, maskJson } from "../guardrails/mask-body.js";
import type { Principal } from "../identity/principal.js";
import type { ErrorInfo } from "../ir/types.js";
import type { Plan } from "../request/plan.js";
import type { Route } from "../routing/model-table.js";
import { refusal } from "./guardrails-stage.js";

/** This instance's key of the callers' placeholder secrets (the non-chat routes keep no mapping across requests). */
const KEY = randomBytes(32);

/** A caller's placeholder secret on this instance. */
function callerSecret(owner: string): string {
  return createHash("sha256").update(KEY).update(owner).digest("base64url");
}

export interface KindGuarded {
  /** The 400 a block answers. */
  readonly refused?: ErrorInfo | undefined;
  /** The texts as sent: masked where a mask rule held (the same texts otherwise), in the order given. */
  readonly texts: readonly string[];
  /** placeholder → value: what an answer's text gets back. Empty: nothing masked. */
  readonly mapping: ReadonlyMap<string, string>;
  readonly notes: readonly FindingNote[];
}

/**
 * The texts of a non-chat request (each with its place: `input 3`, `prompt`, `documents[2]`) under the policy
 * of the caller and the alias; the findings said in the plan's warnings and the trail's.
 */
export async function guardKind(
  guard: Guardrails | undefined,
  principal: Principal,
  route: Pick<Route, "settings">,
  plan: Plan,
  blocks: readonly Block[],
  trail: { guardrails?: readonly FindingNote[] | undefined; decide(words: () => string): void },
): Promise<KindGuarded> {
  const texts = blocks.map((b) => b.text);
  const none = { texts, mapping: new Map<string, string>(), notes: [] };
  if (!guard || blocks.length === 0) return none;
  const policy = guard.policyOf(principal, route.settings.guardrails);
  if (!Object.values(policy.actions).some((a) => a !== "off")) return none;
  const found = await guard.inspect(blocks, policy, [principal.callerKey]);
  if (found.notes.length === 0) return none;
  trail.guardrails = [...(trail.guardrails ?? []), ...found.notes];
  if (found.blocked.length > 0) {
    trail.decide(() => `guardrails: ${found.blocked.map(noteWords).join("; ")}`);
    return { ...none, refused: refusal(found.blocked), notes: found.notes };
  }
  for (const n of found.notes)
    plan.warnings.add(
      `guardrail_${n.dryRun ? "dry_run" : n.action}`,
      `guardrails: ${noteWords(n)}`,
      `guardrails:${n.rule}:${n.location}`,
    );
  if (found.masked.length === 0) return { ...none, notes: found.notes };
  const mapping = mappingOf(found.masked, callerSecret(principal.owner));
  const pairs = [...mapping].flatMap(([placeholder, value]) =>
    bodyForms(value).map((form) => [form, placeholder] as const),
  );
  const masked = maskJson(texts, pairs).value as string[];
  trail.decide(() => `guardrails: ${found.masked.length} value(s) masked`);
  return { texts: masked, mapping, notes: found.notes };
}
