/**
 * The routing rules the admin API stored (140_routing_rules): one row, replaced whole, its `version` moving
 * with each update so that every instance notices it on its next poll. No row: the configuration's rules.
 */
import type { Data } from "./data.js";
import { oneRowVersion, readOneRow, storeOneRow } from "./one-row.js";
import type { RoutingRulesTable } from "./schema.js";

export type StoredRoutingRules = Omit<RoutingRulesTable, "id">;

/** Stores a list of rules (replacing the one before); returns its version. */
export const storeRoutingRules = (data: Data, rules: string) => storeOneRow(data, "routing_rules", { rules });

/** The stored rules' version (0: none), read on every poll. */
export const routingRulesVersion = (data: Data) => oneRowVersion(data, "routing_rules");

export const storedRoutingRules = (data: Data) => readOneRow(data, "routing_rules");
