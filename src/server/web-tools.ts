import type { Config } from "../config/schema.js";
import type { Logger } from "../log/logger.js";
import type { Observe } from "../observe/observe.js";
import { buildWebTools } from "../search/build.js";
import type { WebTools } from "../search/types.js";
import { keyringOf } from "../secrets/cipher.js";

/**
 * The web tools llmux runs itself (`search:`, docs/search.md): the default search provider and the page
 * fetcher, each call counted in the metrics (llmux_web_searches_total, llmux_web_fetches_total).
 */
export function webToolsOf(config: Config, observe: Observe, logger: Logger): WebTools {
  return buildWebTools(config.search, keyringOf(config.secrets), {
    searched: (provider, outcome) => observe.webSearched(provider, outcome),
    fetched: (outcome) => observe.webFetched(outcome),
    warn: (message) => logger.warn(message),
  });
}
