/**
 * The request path as a list of named stages, in order. A pipeline (a generation, a token count) is a list
 * of steps, one per stage after read+decode: the stage that runs there, or the reason it is skipped, so a
 * pipeline shows what it leaves out. accept, identify, read+decode and settle run for every request
 * (src/server/serve.ts); the docs' stage table (docs/architecture.md) is checked against this list by
 * test/request/stage-table.test.ts.
 */
export const STAGE_NAMES = [
  "accept",
  "identify",
  "read+decode",
  "compaction",
  "tag check",
  "plan",
  "guardrails",
  "tags",
  "admit",
  "restore",
  "attempt loop",
  "respond",
  "settle",
] as const;

export type StageName = (typeof STAGE_NAMES)[number];

/** The stages a pipeline lists (the others run for every request: src/server/serve.ts). */
export const PIPELINE_STAGES = STAGE_NAMES.slice(3, -1) as readonly StageName[];

/**
 * One stage of a pipeline: it reads its input from the pipeline's context `C` and keeps its result there (and
 * on the request's trail), or answers the request and returns true: the stages after it do not run.
 */
export interface Stage<C> {
  readonly name: StageName;
  run(c: C): boolean | undefined | Promise<boolean | undefined>;
}

/** A stage a pipeline does not run, and why (the docs' stage table shows it). */
export interface Skipped {
  readonly name: StageName;
  readonly skipped: string;
}

export type Step<C> = Stage<C> | Skipped;

export function skip(name: StageName, why: string): Skipped {
  return { name, skipped: why };
}

/**
 * A pipeline's stages to run, checked once (as its module loads): one step for every stage of
 * PIPELINE_STAGES, in their order.
 */
export function pipeline<C>(steps: readonly Step<C>[]): readonly Stage<C>[] {
  const names = steps.map((s) => s.name);
  if (names.join() !== PIPELINE_STAGES.join())
    throw new Error(`A pipeline lists ${names.join(", ")}; the stages are ${PIPELINE_STAGES.join(", ")}.`);
  return steps.filter((s): s is Stage<C> => "run" in s);
}

/**
 * Runs a pipeline's stages in order until one answers the request. No frame of this loop waits with a stage:
 * the stages after one that waits go on from its promise's reaction, so the respond stage, which lasts as long
 * as its stream, holds nothing of the loop (an open stream holds its suspended frames). The whole run is one
 * promise, settled from those reactions: a reaction that returned the rest of the run as a promise of its own
 * would make each stage that waits cost two promises more and a job that adopts them.
 */
export function runStages<C>(stages: readonly Stage<C>[], c: C, from = 0): Promise<void> {
  const first = runUntilWait(stages, c, from);
  if (first === undefined) return DONE;
  if (first instanceof Thrown) return Promise.reject(first.err);
  return new Promise<void>((resolve, reject) => {
    let at = first.at;
    const next = (answered: boolean | undefined): void => {
      const step = answered ? undefined : runUntilWait(stages, c, at + 1);
      if (step === undefined) resolve();
      else if (step instanceof Thrown) reject(step.err);
      else {
        at = step.at;
        step.answer.then(next, reject);
      }
    };
    first.answer.then(next, reject);
  });
}

/** A stage that waits: where it is in the pipeline, and its answer to come. */
class Waiting {
  constructor(
    readonly at: number,
    readonly answer: Promise<boolean | undefined>,
  ) {}
}

/** A stage that threw, and what. */
class Thrown {
  constructor(readonly err: unknown) {}
}

/** Runs stages from `from` until one waits (Waiting) or throws (Thrown), or none is left to run (undefined). */
function runUntilWait<C>(stages: readonly Stage<C>[], c: C, from: number): Waiting | Thrown | undefined {
  for (let i = from; i < stages.length; i++) {
    let answered: ReturnType<Stage<C>["run"]>;
    try {
      answered = stages[i]!.run(c);
    } catch (err) {
      return new Thrown(err);
    }
    if (answered === true) return undefined;
    if (answered === undefined || answered === false) continue;
    return new Waiting(i, answered);
  }
  return undefined;
}

const DONE: Promise<void> = Promise.resolve();
