import type { ServerResponse } from "node:http";
import type { Answer } from "../request/answer.js";
import type { Plan } from "../request/plan.js";
import type { RequestTiming } from "../request/timing.js";
import type { UpstreamReply } from "../upstream/call.js";

/** What the respond stage needs: the plan that was called, its reply, where to answer, and what to fill in. */
export interface RespondInput {
  readonly plan: Plan;
  readonly reply: UpstreamReply;
  readonly res: ServerResponse;
  /** The request's answer: this stage's result, filled in as it is written. */
  readonly answer: Answer;
  readonly timing?: RequestTiming | undefined;
  /**
   * Keeps what a complete translated answer leaves behind (the settle stage's share: a stored Response,
   * captured reasoning), before its closing events are written; undefined when nothing is kept.
   */
  readonly keep?: ((answer: Answer) => Promise<void>) | undefined;
  /** Notes a decision in words (the debug log). */
  readonly decide: (words: () => string) => void;
}
