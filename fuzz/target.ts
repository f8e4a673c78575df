import type fc from "fast-check";

/**
 * One surface under fuzzing: how its inputs are made, and one input run against it. `run` resolves with the
 * words of a finding (a 5xx the input caused, an exception that would end the process, an answer that never
 * ended), or undefined when llmux answered as it should (a valid answer, or a 4xx naming what is wrong).
 */
export interface Target<T = unknown> {
  readonly name: string;
  /** `decoder`: the decoding functions called in process (fast); `http`: a gateway over HTTP or WebSocket. */
  readonly level: "decoder" | "http";
  readonly input: fc.Arbitrary<T>;
  run(input: T): Promise<string | undefined>;
  /** Inputs run at once (HTTP targets keep a few requests in flight). */
  readonly parallel?: number;
  /** A short description of an input for a report (the run's findings name the input that failed). */
  describe?(input: T): string;
}

/** A finding for a value thrown where only the given errors are expected. */
export function unexpected(err: unknown, ...allowed: (abstract new (...a: never[]) => Error)[]): string | undefined {
  if (allowed.some((c) => err instanceof c)) return undefined;
  const e = err as Error;
  return `threw ${e?.name ?? typeof err}: ${String(e?.message ?? err).slice(0, 300)}`;
}
