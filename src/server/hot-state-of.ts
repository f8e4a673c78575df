import type { Config } from "../config/schema.js";
import type { Logger } from "../log/logger.js";
import type { HotState } from "../state/hot-state.js";
import { openHotState } from "../state/open.js";

/** The hot shared state the configuration asks for (memory, or Redis), its outages and recoveries logged loudly. */
export function hotStateOf(config: Config, logger: Logger): HotState {
  return openHotState({
    url: config.state.url,
    prefix: config.state.prefix,
    onFailure: config.state.on_failure,
    timeoutMs: config.state.timeout_ms,
    failoverWaitMs: config.state.failover_wait_ms,
    events: {
      down: (err) =>
        logger.error(
          { err: (err as Error).message, policy: config.state.on_failure },
          config.state.on_failure === "degrade"
            ? "Redis (state.url) is unreachable: counting with this instance's memory until it returns; limits and budgets are per instance meanwhile"
            : "Redis (state.url) is unreachable: refusing requests that need shared state until it returns (state.on_failure: fail-closed)",
        ),
      up: () => logger.warn("Redis (state.url) is reachable again: shared counters resume"),
    },
  });
}
