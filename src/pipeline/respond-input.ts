import type { ServerResponse } from "node:http";
import type { StreamEvent } from "../ir/types.js";
import type { Meter } from "../request/admission.js";
import type { Answer } from "../request/answer.js";
import type { Plan } from "../request/plan.js";
import type { RequestTiming } from "../request/timing.js";
import type { UpstreamReply } from "../upstream/call.js";
import type { PING, SilenceTimer } from "./silence-pings.js";

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
  /**
   * Removes the secrets llmux knows (the configuration's, the caller's own key, a key's credentials) from a
   * text an upstream wrote that leaves llmux (an error relayed to the client, the log's reason).
   */
  readonly redact?: ((text: string) => string) | undefined;
  /** The budget meter of a streamed answer (src/limits/budget.ts): told the output as it goes. */
  readonly meter?: Meter | undefined;
  /** Milliseconds of upstream silence after which a translated stream gets a keep-alive (0 or absent: none). */
  readonly pingIntervalMs?: number | undefined;
  /** The timer behind it (tests simulate long silences with their own). */
  readonly timer?: SilenceTimer | undefined;
  /** The cost headers of a whole (non-streamed) answer, its usage known (src/pipeline/cost-headers.ts). */
  readonly costHeaders?: ((answer: Answer) => Record<string, string>) | undefined;
  /**
   * Told each tool_use id an Anthropic Messages answer gives the client, as it goes (Claude Code's MCP calls
   * name it: src/request/tool-use-session.ts).
   */
  readonly onToolUse?: ((id: string) => void) | undefined;
  /**
   * Rewrites a translated answer's events before they are encoded (the guardrails put masked values back);
   * one per request, it keeps the state of the blocks it rewrites.
   */
  readonly rewrite?: ((event: StreamEvent, out: (event: StreamEvent) => void) => void) | undefined;
  /**
   * The answer's events when llmux runs the request's web tools (src/pipeline/web-tools-rounds.ts): the reply
   * and the upstream calls after it, as one stream; undefined when it runs none.
   */
  readonly webRounds?: ((plan: Plan, reply: UpstreamReply) => AsyncIterable<StreamEvent | typeof PING>) | undefined;
  /** Notes a decision in words (the debug log). */
  readonly decide: (words: () => string) => void;
}
