import type { Config } from "../config/schema.js";
import type { Logger } from "../log/logger.js";
import { Billing } from "./billing.js";
import { PriceTable } from "./prices.js";

/** The gateway's billing: the price table (shipped + `prices:`); the ledger is written with the request log. */
export function billingOf(config: Config, logger: Logger): Billing {
  const prices = new PriceTable(config.prices, (model) =>
    logger.warn(
      { model },
      `no price for model '${model}': its requests cost 0 (add it under prices: in the configuration)`,
    ),
  );
  const free = new Set(Object.entries(config.providers).flatMap(([name, p]) => (p.type === "mock" ? [name] : [])));
  return new Billing(prices, free);
}
