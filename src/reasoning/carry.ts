import type { ReasoningWrapper } from "../dialects/types.js";
import type { Part, ReasoningPart, Request } from "../ir/types.js";
import type { Warnings } from "../ir/warnings.js";
import { isEnvelope, type Origin, open, seal } from "./envelope.js";

/** The llmux envelope a client echoed in a reasoning part's opaque field, if any. */
function envelopeOf(p: ReasoningPart): string | undefined {
  for (const v of [p.signature, p.encrypted, p.thoughtSignature]) if (isEnvelope(v)) return v;
  return undefined;
}

/**
 * Request side, for clients that echo an opaque field (Anthropic, Responses and Gemini clients): reasoning whose
 * signature or encrypted content is an llmux envelope is restored as the provider produced it. An envelope
 * that does not verify is dropped — it never reaches an upstream.
 */
export function openEnvelopes(req: Request, secret: string, warnings: Warnings): void {
  let refused = 0;
  for (const m of req.messages) {
    if (m.role !== "assistant") continue;
    if (!m.content.some((p) => p.type === "reasoning" && envelopeOf(p) !== undefined)) continue;
    const out: Part[] = [];
    for (const p of m.content) {
      if (p.type !== "reasoning") {
        out.push(p);
        continue;
      }
      const envelope = envelopeOf(p);
      if (!envelope) {
        out.push(p);
        continue;
      }
      const opened = open(envelope, secret);
      if (!opened.ok) {
        refused++;
        warnings.add("envelope_refused", `reasoning dropped: ${opened.reason}`);
        continue;
      }
      out.push({ ...opened.part, origin: opened.origin });
    }
    m.content = out;
  }
  if (refused > 0)
    warnings.add("envelope_refused_count", `${refused} reasoning envelope(s) did not verify and were dropped`);
}

export function sameOrigin(a: Origin, b: Origin): boolean {
  return a.provider === b.provider && a.model === b.model;
}

/**
 * Reasoning produced by another provider or model (after an alias switch or a fallback) is dropped — not
 * turned into text — because opaque reasoning state is only valid where it was made.
 */
export function dropForeignReasoning(req: Request, origin: Origin, warnings: Warnings): void {
  let dropped = 0;
  for (const m of req.messages) {
    if (m.role !== "assistant") continue;
    const before = m.content.length;
    m.content = m.content.filter((p) => p.type !== "reasoning" || !p.origin || sameOrigin(p.origin, origin));
    dropped += before - m.content.length;
  }
  if (dropped > 0) {
    warnings.add(
      "foreign_reasoning_dropped",
      `${dropped} reasoning part(s) produced by another provider or model were not sent to ${origin.provider}/${origin.model}`,
    );
  }
}

/** Response side: seals reasoning the client's dialect cannot hold natively into its opaque field. */
export function envelopeWrapper(origin: Origin, secret: () => string): ReasoningWrapper {
  return (part) => seal(part, origin, secret());
}
