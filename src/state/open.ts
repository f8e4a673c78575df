import type { HotState } from "./hot-state.js";
import { MemoryState } from "./memory.js";
import { RedisState } from "./redis.js";

export interface HotStateOptions {
  /** `redis://…`: shared by every instance; absent: this process only. */
  url?: string | undefined;
  /** Key prefix in Redis (default `llmux:`). */
  prefix?: string | undefined;
}

/** The hot-state engine the configuration asks for. */
export function openHotState(opts: HotStateOptions = {}): HotState {
  if (opts.url === undefined) return new MemoryState();
  return new RedisState({ url: opts.url, ...(opts.prefix !== undefined ? { prefix: opts.prefix } : {}) });
}

export type { HotState, Within } from "./hot-state.js";
