import type { RequestBody } from "../request/body.js";
import type { Accepted } from "../request/route.js";
import { pipeline, runStages, type Step } from "../request/stage.js";
import { admit } from "./admit-stage.js";
import { attemptLoop } from "./attempt-loop-stage.js";
import { compaction } from "./compaction-stage.js";
import type { Exchange } from "./exchange.js";
import { type GenerateDeps, Generation } from "./generation.js";
import { guardrails } from "./guardrails-stage.js";
import { planStage } from "./plan-stage.js";
import { respond } from "./respond-stage.js";
import { restore } from "./restore-stage.js";
import { tagCheck, tags } from "./tags-stage.js";

export type { GenerateDeps } from "./generation.js";

/**
 * A generation's stages after its body is read, in order. Each keeps its result on the generation (and the
 * request's trail, for the settle stage) or answers the request in the client's dialect, which ends it; a
 * client that goes away aborts the upstream call.
 */
export const GENERATION: readonly Step<Generation>[] = [
  compaction,
  tagCheck,
  planStage,
  guardrails,
  tags,
  admit,
  restore,
  attemptLoop,
  respond,
];

const STAGES = pipeline(GENERATION);

/** A generation request after its body is read: its stages, in order. */
export function generate(ex: Exchange, accepted: Accepted, read: RequestBody, deps: GenerateDeps): Promise<void> {
  return runStages(STAGES, new Generation(ex, accepted, read, deps));
}
