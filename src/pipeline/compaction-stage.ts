import { isObject } from "../ir/input-error.js";
import type { ErrorInfo, Json } from "../ir/types.js";
import { sealSummary } from "../reasoning/compaction-envelope.js";
import type { RequestBody } from "../request/body.js";
import { isPlan } from "../request/plan.js";
import type { Stage } from "../request/stage.js";
import { asksCompaction, openCompactions, summaryRequest, withTrigger } from "./compaction.js";
import { compactionAnswer } from "./compaction-writer.js";
import { answerError } from "./exchange.js";
import type { Generation } from "./generation.js";
import { plan } from "./plan.js";

export interface Compaction {
  /** The body to plan (the same object when nothing changed). */
  body: RequestBody;
  /** Set when llmux performs the compaction: seals the summary into the one compaction item. */
  seal?: (summary: string) => string;
}

export interface CompactionInput {
  body: RequestBody;
  /** POST /responses/compact. */
  legacy: boolean;
  owner: string;
  secret: () => Promise<string>;
  /** Whether this body would be passed through to a Responses upstream (one that compacts itself). */
  passedThrough: (json: Json) => boolean;
}

const reread = (json: Json): RequestBody => ({ json, raw: Buffer.from(JSON.stringify(json)) });

/**
 * The compaction stage of a Responses request: llmux's compaction items opened back into the conversation
 * (for this caller only), and a compaction asked for (a `compaction_trigger` item, or /responses/compact)
 * turned into a summary request, unless a Responses upstream that compacts itself serves it.
 */
export async function compactionStage(input: CompactionInput): Promise<Compaction | ErrorInfo> {
  let json = input.body.json;
  if (!isObject(json)) return { body: input.body };
  const items = Array.isArray(json.input) ? json.input : [];
  const touched = items.some((i) => isObject(i) && (i.type === "compaction" || i.type === "compaction_trigger"));
  if (!input.legacy && !touched) return { body: input.body };
  if (input.legacy) json = withTrigger({ ...json, stream: false });
  const secret = await input.secret();
  const opened = openCompactions(json, input.owner, secret);
  if (!opened.ok) return opened.error;
  json = opened.body;
  if (asksCompaction(json) && (input.legacy || !input.passedThrough(json))) {
    const owner = input.owner;
    return { body: reread(summaryRequest(json as never)), seal: (s) => sealSummary(s, owner, secret) };
  }
  return { body: json === input.body.json ? input.body : reread(json) };
}

/** The compaction stage of a generation: a Responses request's body to plan (other dialects skip it). */
export const compaction: Stage<Generation> = {
  name: "compaction",
  // Synchronous for the other dialects: no promise and no turn of the microtask queue for a stage with nothing to do.
  run: (g) => (g.client === "openai-responses" ? compactResponses(g) : undefined),
};

async function compactResponses(g: Generation): Promise<true | undefined> {
  const done = await compactionStage({
    body: g.body,
    legacy: g.accepted.match.compact === true,
    owner: g.principal.owner,
    secret: () => g.state.secret(),
    passedThrough: (json) => {
      const p = plan({ ...g.input, body: json });
      return isPlan(p) && p.passthrough;
    },
  });
  if (!("body" in done)) {
    answerError(g.ex, g.client, done);
    return true;
  }
  g.body = done.body;
  g.input.body = done.body.json;
  g.input.raw = done.body.raw;
  if (done.seal) {
    g.trail.decide(() => "compaction: llmux asks the routed model for a summary and seals it");
    compactionAnswer(g.ex.res, done.seal);
  }
  return undefined;
}
