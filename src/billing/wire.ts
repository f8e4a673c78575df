import { dirname } from "node:path";
import type { Config } from "../config/schema.js";
import type { Data } from "../data/data.js";
import type { Logger } from "../log/logger.js";
import { Billing } from "./billing.js";
import { Ledger } from "./ledger.js";
import { PriceTable } from "./prices.js";

/** The gateway's billing: the price table (shipped + `prices:`) and, with a data layer, the ledger. */
export function billingOf(config: Config, logger: Logger, data: Data | undefined): Billing {
  const prices = new PriceTable(config.prices, (model) =>
    logger.warn(
      { model },
      `no price for model '${model}': its requests cost 0 (add it under prices: in the configuration)`,
    ),
  );
  const free = new Set(Object.entries(config.providers).flatMap(([name, p]) => (p.type === "mock" ? [name] : [])));
  if (!data) return new Billing(prices, undefined, free);
  const dir = config.billing.spool_dir ?? dirname(config.store.path);
  const ledger = new Ledger(data, dir, {
    spooled: (rows, err, file) =>
      logger.error(
        { rows, dir, err: (err as Error).message },
        `the database did not take ${rows} ledger row(s): kept in ${dir} (${file}) until it does`,
      ),
    caughtUp: (rows) => logger.warn({ rows }, `the ledger caught up: ${rows} spooled row(s) written`),
  });
  return new Billing(prices, ledger, free);
}
