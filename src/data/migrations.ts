import { m001 } from "./migrations/001-store.js";
import { m002 } from "./migrations/002-identity.js";
import { m003 } from "./migrations/003-ledger.js";
import { m004 } from "./migrations/004-request-log.js";
import { m005 } from "./migrations/005-upstream-owners.js";
import { m006 } from "./migrations/006-budget-nanos.js";
import type { Migration } from "./migrations/migration.js";

export type { Migration } from "./migrations/migration.js";

/** Every migration, in order (one file each, under migrations/). */
export const MIGRATIONS: readonly Migration[] = [m001, m002, m003, m004, m005, m006];
