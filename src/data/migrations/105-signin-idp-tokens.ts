import type { Migration } from "./migration.js";

export const m105: Migration = {
  id: "105_signin_idp_tokens",
  /**
   * Sign-in asks the identity provider at every refresh (a person removed there is refused): the provider's
   * tokens are kept sealed under keys the database never holds (src/signin/idp-seal.ts). On a device code's row
   * the public key its box is sealed to and the sealed box (until the code is used), on a session its sealed
   * tokens. New nullable columns only: a session made before has none (it is refused at its next refresh).
   */
  async up(db) {
    await db.schema.alterTable("signin_devices").addColumn("box_key", "text").execute();
    await db.schema.alterTable("signin_devices").addColumn("idp_tokens", "text").execute();
    await db.schema.alterTable("signin_sessions").addColumn("idp_tokens", "text").execute();
  },
};
