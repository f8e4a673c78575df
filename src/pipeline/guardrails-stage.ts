import { requestBlocks } from "../guardrails/blocks.js";
import { type Guardrails, type Inspection, mappingOf, noteWords } from "../guardrails/guard.js";
import { bodyForms, maskJson } from "../guardrails/mask-body.js";
import { active, type Resolved } from "../guardrails/policy.js";
import { InputError } from "../ir/input-error.js";
import type { ErrorInfo, Json, Request } from "../ir/types.js";
import { isPlan, type Plan } from "../request/plan.js";
import type { Stage } from "../request/stage.js";
import { codecs } from "../translate/codecs.js";
import { answerError } from "./exchange.js";
import type { Generation } from "./generation.js";
import { plan } from "./plan.js";

/** The findings a refusal names, at most (the rest are counted). */
const NAMED = 5;

/**
 * The request as the IR has it: the plan's when translated, else (a passthrough) decoded for the scan alone; the
 * decoder's refusal when it cannot be decoded (a passthrough body the scan cannot read is refused as a
 * translated one would be, never relayed unscanned).
 */
function irOf(g: Generation, planned: Plan): Request | ErrorInfo {
  if (planned.ir) return planned.ir;
  try {
    return codecs[planned.requestDialect].decodeRequest(g.body.json);
  } catch (err) {
    if (err instanceof InputError) return err.toErrorInfo();
    throw err;
  }
}

/** The 400 a blocked request is answered: the rules and places, never a value. */
export function refusal(found: Inspection["blocked"]): ErrorInfo {
  const named = found.slice(0, NAMED).map((f) => `${f.rule} in ${f.location}`);
  const more = found.length > NAMED ? ` and ${found.length - NAMED} more` : "";
  return {
    status: 400,
    kind: "invalid_request",
    code: "guardrail_blocked",
    message: `llmux's guardrails refused this request: it holds a secret (${named.join("; ")}${more}). Remove it and send the request again.`,
    param: null,
  };
}

/**
 * The guardrails stage (src/guardrails/): the texts that would leave for the upstream scanned under the policy
 * of the gateway, the caller's team and key, and the alias. A block refuses the request (naming the rule and the
 * place, never the value); a warning goes into llmux-warnings; a mask replaces each value by its placeholder in
 * the body every plan is made from, plans it again translated (the answer's events pass through llmux, which
 * puts the values back) and keeps the mapping for the respond stage.
 */
export const guardrails: Stage<Generation> = {
  name: "guardrails",
  // Synchronous when every group is off (guardrails not enabled, or off for this caller and alias): no promise,
  // no turn of the microtask queue.
  run(g) {
    const guard = g.deps.guardrails;
    if (!guard) return undefined;
    const planned = g.planned!;
    const policy = guard.policyOf(g.principal, planned.route.settings.guardrails, planned.route.alias);
    return active(policy) ? scan(g, guard, planned, policy) : undefined;
  },
};

/** The guardrails stage under a policy with some group on. */
async function scan(g: Generation, guard: Guardrails, planned: Plan, policy: Resolved): Promise<true | undefined> {
  const p = g.principal;
  const ir = irOf(g, planned);
  if ("status" in ir) {
    g.trail.decide(() => `guardrails: the passthrough body cannot be scanned: ${ir.message}`);
    answerError(g.ex, g.client, ir);
    return true;
  }
  // A conversation llmux resends (previous_response_id) holds placeholders of earlier turns: their values too.
  const resent = planned.requestDialect === "openai-responses" && ir.previousResponseId !== undefined;
  // What was masked for this caller before is masked again wherever it is now (an answer put it back, and the
  // rule that found it may not find it out of its context: a database password without its URL).
  const masking = !policy.dryRun && Object.values(policy.actions).includes("mask");
  const secret = masking || resent ? await g.state.secret() : "";
  const earlier = masking || resent ? await guard.earlier(p.owner, secret) : new Map<string, string>();
  const found = await guard.inspect(requestBlocks(ir), policy, [p.callerKey], masking ? [...earlier.values()] : []);
  if (found.notes.length === 0 && !resent) return undefined;
  g.trail.guardrails = found.notes;
  if (found.blocked.length > 0) {
    g.trail.decide(() => `guardrails: ${found.blocked.map(noteWords).join("; ")}`);
    answerError(g.ex, g.client, refusal(found.blocked), { outcome: "refused" });
    return true;
  }
  let current = planned;
  const mapping = mappingOf(found.masked, secret);
  const fresh = new Map([...mapping].filter(([k]) => !earlier.has(k)));
  if (resent) for (const [k, v] of earlier) if (!mapping.has(k)) mapping.set(k, v);
  if (found.masked.length > 0) {
    const pairs = [...mapping]
      .filter(([, v]) => found.masked.some((f) => f.value === v))
      .flatMap(([placeholder, value]) => bodyForms(value).map((form) => [form, placeholder] as const));
    const masked = maskJson(g.body.json as Json, pairs).value;
    const raw = Buffer.from(JSON.stringify(masked));
    g.body = { json: masked, raw };
    g.input.body = masked;
    g.input.raw = raw;
    g.input.translate = true;
    const again = plan(g.input);
    if (!isPlan(again)) {
      answerError(g.ex, g.client, again);
      return true;
    }
    current = again;
    g.planned = again;
    g.trail.plan = again;
    if (fresh.size > 0) await guard.remember(p.owner, secret, fresh);
  } else if (mapping.size > 0 && current.passthrough) {
    g.input.translate = true;
    const again = plan(g.input);
    if (isPlan(again)) {
      current = again;
      g.planned = again;
      g.trail.plan = again;
    }
  }
  if (mapping.size > 0) g.unmask = mapping;
  for (const n of found.notes)
    current.warnings.add(
      `guardrail_${n.dryRun ? "dry_run" : n.action}`,
      `guardrails: ${noteWords(n)}`,
      `guardrails:${n.rule}:${n.location}`,
    );
  return undefined;
}
