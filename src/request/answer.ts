import type { JsonObject, Response, Usage } from "../ir/types.js";
import type { WebCallNote } from "../ir/web-tools.js";
import type { RequestErrorClass } from "./error-class.js";
import type { Outcome } from "./outcome.js";

/**
 * What a request was answered: the result of the stage that answered it (the respond stage, or the stage
 * that refused or failed it), filled in as the answer is written. The settle stage reads it; nothing else
 * writes it.
 */
export interface Answer {
  status?: number | undefined;
  /** Set by a stage that refused or failed the request (else derived from the status). */
  outcome?: Outcome | undefined;
  /** Why the request was refused or failed, in words. */
  reason?: string | undefined;
  /** What kind of failure it was (src/request/error-class.ts). */
  errorClass?: RequestErrorClass | undefined;
  /** When the first byte of the answer was written (performance.now()). */
  firstByteAt?: number | undefined;
  usage?: Usage | undefined;
  /** `usage` is what the upstream reported before the answer ended (its input), not its final report. */
  usagePartial?: boolean | undefined;
  /** Characters of text the client received (for estimating output tokens). */
  outputChars: number;
  /** The id of a Responses answer (binds a later previous_response_id to the deployment that made it). */
  responseId?: string | undefined;
  /** The ids of a passed-through Responses answer's output items (claimed for the caller, as the answer). */
  responseItems?: string[] | undefined;
  /** Fingerprints of the opaque reasoning a passed-through answer carried (src/routing/reasoning-marks.ts). */
  reasoningMarks?: string[] | undefined;
  /** A translated answer, complete: what the settle stage keeps of it (reasoning, a stored Response). */
  complete?: { result: Response; encoded?: JsonObject | undefined } | undefined;
  /** The web searches and page fetches llmux ran for the answer (its emulated web tools), what they asked, and their price. */
  webSearches?: number | undefined;
  webFetches?: number | undefined;
  webQueries?: string[] | undefined;
  webUrls?: string[] | undefined;
  webNanos?: number | undefined;
  /** Each web tool call as the request log keeps it, and how many past those were only counted. */
  webCalls?: WebCallNote[] | undefined;
  webCallsOmitted?: number | undefined;
  /** A warning about the answer's own state (it could not be kept), for the log line. */
  stateWarning?: string | undefined;
}

export function newAnswer(): Answer {
  return { outputChars: 0 };
}

/** Marks the answer failed (or refused) with its status and why, unless an earlier step already said why. */
export function failed(a: Answer, status: number, reason: string, outcome: Outcome = "error"): void {
  a.status = status;
  a.outcome = outcome;
  a.reason ??= reason;
}
