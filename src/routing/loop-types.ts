import type { AbortLike } from "../http/abort-flag.js";
import type { ErrorInfo, Json } from "../ir/types.js";
import type { LoopHealth } from "./advisory-health.js";
import type { Deployment, Routing } from "./deployments.js";
import type { Availability } from "./health.js";

/** What the loop needs to know of a route (src/routing/model-table.ts Route, narrowed). */
export interface LoopRoute {
  readonly alias: string;
  readonly deployments: readonly Deployment[];
  readonly routing: Routing;
  readonly settings: { fallbacks?: string[] | undefined; context_window_fallbacks?: string[] | undefined };
}

/** An upstream answer as the loop sees it (src/upstream/call.ts UpstreamReply). */
export interface LoopReply {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: AsyncIterable<Uint8Array>;
  dump(): Promise<void>;
  /** A 2xx JSON answer as it was read and parsed (src/upstream/screen.ts): no stage reads it again. */
  whole?: { readonly text: string; readonly json: Json } | undefined;
}

/** One attempt's plan: opaque to the loop, made by the caller for a route and deployment. */
export interface Attempted<P> {
  plan: P;
  reply: LoopReply;
  deployment: Deployment;
  /**
   * Call once the answer is over (in-flight count, health): `ok`, `failed` (the deployment broke off), or
   * `gone` (the client went away: says nothing of the deployment; a probe it held is handed back).
   */
  settle(how: Settled): Promise<void>;
}

export type Settled = "ok" | "failed" | "gone";

export interface LoopDeps<P, R extends LoopRoute> {
  /** A plan for `route` on deployment `d`, or the error that refuses it there (e.g. a strict capability). */
  plan(route: R, d: Deployment): Promise<P | ErrorInfo>;
  /**
   * Calls the upstream; throws `{ info: ErrorInfo }` (UpstreamFailure) when nothing answered. `signal`
   * follows the client's and, while the loop runs, its deadline (`max_total_ms`): the call must stop
   * when it fires. Once the loop has returned, only the client's abort is left in it.
   */
  call(plan: P, signal: AbortLike): Promise<LoopReply>;
  /** The route of a fallback alias, keeping what the client asked for. */
  fallback(alias: string): R | undefined;
  isFailure(err: unknown): err is { info: ErrorInfo };
  /**
   * Reads the start of a successful reply's stream: the reply to give (what was read still in it) or
   * the failure its first events carry (an in-stream error before any output), with the HTTP status it
   * stands for and the whole stream as text. Throws like `call` when the connection fails meanwhile.
   */
  inspect?(plan: P, reply: LoopReply): Promise<LoopReply | { status: number; text: string }>;
  health: LoopHealth;
  /**
   * The deployment this conversation is bound to, if any. `only`: nothing else can serve it (a
   * `previous_response_id` that deployment's account holds): it is tried alone, cooling or not, and no
   * fallback alias is tried after it.
   */
  bound?: (route: R) => Promise<Binding | undefined>;
  /**
   * The first alias's deployments' availability, asked for before the loop (while the request was being
   * admitted), by deployment id: on a shared state, that read's round trip overlaps the admission's. Used
   * for the first alias only: a fallback alias, tried after failures, reads its deployments afresh.
   */
  early?: ReadonlyMap<string, Promise<Availability>> | undefined;
  /** Told each decision in words (the request's debug log and route header). */
  note(words: string): void;
  signal: AbortLike;
  now?: () => number;
  rand?: () => number;
}

export interface Binding {
  readonly id: string;
  readonly only?: boolean | undefined;
}

/** Every attempt failed: the last failure, as an answer to give (an upstream reply) or an error. */
export interface Exhausted<P> {
  exhausted: true;
  /** The last upstream error answer, its body buffered, with the plan that produced it. */
  last?: { plan: P; reply: LoopReply; deployment: Deployment } | undefined;
  error?: ErrorInfo | undefined;
}
