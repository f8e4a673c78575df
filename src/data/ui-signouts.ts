import type { Data } from "./data.js";
import { nowSeconds } from "./data.js";

/**
 * Web UI sign-ins ended on the server: a signed-out cookie (by its digest) is refused until it would have
 * expired anyway, on every instance; rows past that are deleted as new ones are written.
 */
export class UiSignOuts {
  constructor(private readonly data: Data) {}

  /** Ends the sign-in whose cookie has this digest, until `until` (unix seconds). */
  async end(digest: string, until: number): Promise<void> {
    const db = await this.data.db();
    await db.deleteFrom("ui_signouts").where("until", "<", nowSeconds()).execute();
    await db
      .insertInto("ui_signouts")
      .values({ digest, until })
      .onConflict((oc) => oc.column("digest").doNothing())
      .execute();
  }

  /** Whether the sign-in whose cookie has this digest was ended. */
  async ended(digest: string): Promise<boolean> {
    const db = await this.data.db();
    const row = await db.selectFrom("ui_signouts").select("until").where("digest", "=", digest).executeTakeFirst();
    return row !== undefined && Number(row.until) >= nowSeconds();
  }
}
