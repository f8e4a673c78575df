import type { Kysely } from "kysely";
import type { EngineName } from "../engine.js";

/**
 * The schema's history, applied in order and never edited once released. Rolling deploys: a migration only
 * adds (tables, nullable columns, indexes); code that stops using something ships first, and a later
 * migration drops it. An instance meeting migrations it does not know (a newer release ran them) carries on.
 *
 */
export interface Migration {
  id: string;
  // biome-ignore lint/suspicious/noExplicitAny: migrations build tables the Database type does not yet have
  up(db: Kysely<any>, engine: EngineName): Promise<void>;
}
