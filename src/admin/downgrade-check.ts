/**
 * A key's or team's soft budget (`budget.downgrade.to`) names a model alias the configuration has, as the
 * configuration's own soft budgets must (src/config/load.ts): refused with the field named otherwise. The
 * alias is checked against the key's allow-list when a request is downgraded, not here.
 */
import type { Config } from "../config/schema.js";
import { AdminError } from "./route.js";

/** Throws a 400 naming `budget.downgrade.to` when the body's downgrade names no configured alias. */
export function checkDowngrade(body: unknown, models: Config["models"] | undefined): void {
  const budget = (body as { budget?: { downgrade?: { to?: string } } | null } | undefined)?.budget;
  const to = budget?.downgrade?.to;
  if (to === undefined) return;
  const field = "budget.downgrade.to";
  if (to.includes("*")) throw new AdminError(400, `${field}: '${to}' is a pattern; name an alias`, field);
  if (!Object.hasOwn(models ?? {}, to)) throw new AdminError(400, `${field}: no model alias named '${to}'`, field);
}
