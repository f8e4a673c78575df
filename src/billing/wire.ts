import type { Config } from "../config/schema.js";
import type { Logger } from "../log/logger.js";
import { Billing } from "./billing.js";
import { PriceTable } from "./prices.js";

/**
 * The gateway's billing: the price table (shipped + `prices:`), and the built-in mock's own price; the ledger is
 * written with the request log.
 */
export function billingOf(config: Config, logger: Logger): Billing {
  const prices = new PriceTable(config.prices, (model) =>
    logger.warn(
      { model },
      `no price for model '${model}': its requests cost 0 (add it under prices: in the configuration)`,
    ),
  );
  // The built-in mock is priced by its own `price` (a default one unless configured), whatever model it answers.
  const own = new Map(
    Object.entries(config.providers).flatMap(([name, p]) => (p.type === "mock" ? [[name, p.price] as const] : [])),
  );
  return new Billing(prices, own);
}
