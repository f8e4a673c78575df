import type { ResponseOptions, ToolMapping } from "../dialects/types.js";
import type { Dialect, ErrorInfo, JsonObject, Request, UpstreamDialect } from "../ir/types.js";
import type { Warnings } from "../ir/warnings.js";
import type { WebPlan } from "../ir/web-tools.js";
import type { ReasoningCache } from "../reasoning/cache.js";
import type { Origin } from "../reasoning/envelope.js";
import type { Route } from "../routing/model-table.js";
import type { ResponseStore } from "../store/types.js";

/** Everything needed to call the upstream and answer the client: the plan stage's result. */
export interface Plan {
  route: Route;
  client: Dialect;
  upstream: UpstreamDialect;
  /** Same dialect on both sides: the body is patched, not translated, and the reply bytes pass through. */
  passthrough: boolean;
  /**
   * The upstream request body, serialised (released once sent: see the attempt stage). A translated plan
   * has none until its conversation is restored and encoded (pipeline/encode.ts).
   */
  body: string | Buffer;
  /** A translated plan's request, decoded and adjusted to the model, before restoring and encoding. */
  ir?: Request | undefined;
  /** The dialect the client's body is read in (a Responses-shaped body on the Chat route: Responses). */
  requestDialect: Dialect;
  /** Whether the client asked for a stream. */
  clientStream: boolean;
  /** Whether the upstream was asked for a stream. */
  upstreamStream: boolean;
  tools: ToolMapping;
  response: ResponseOptions;
  warnings: Warnings;
  /** The provider and model that will produce the answer. */
  origin: Origin;
  /** The most output tokens the request lets the model produce (max_tokens and its spellings), if it says. */
  maxOutputTokens?: number | undefined;
  /** Cursor is served its own way (errors as text, custom tools as functions). */
  cursor: boolean;
  /** Chat clients echo no reasoning: remember the answer's reasoning under this scope. */
  captureScope?: string | undefined;
  /**
   * A Responses request passed through to a Responses upstream that keeps its answer (store not false), or
   * translated between the two only for llmux to see the answer (the guardrails): the answer and its items are
   * claimed for the caller as it ends, and its ids are the upstream's.
   */
  upstreamKeeps?: boolean | undefined;
  /** Responses clients with store: what to keep once the answer is complete. */
  storeAs?: { previousId?: string | undefined; input: JsonObject[] } | undefined;
  /** The web tools llmux runs itself, the upstream not running them (src/pipeline/web-tools-plan.ts). */
  web?: WebPlan | undefined;
}

/** Whether the plan stage (or a stage after it) returned a plan rather than the error it answers. */
export function isPlan(v: Plan | ErrorInfo): v is Plan {
  return "route" in v;
}

/** Reasoning and Responses state, opened on first use, seen as one caller's. */
export interface State {
  /** Whose stored data this request may read and write (Principal.owner); it also scopes cached reasoning. */
  readonly owner: string;
  secret(): Promise<string>;
  readonly cache: ReasoningCache;
  responses(): ResponseStore;
}
