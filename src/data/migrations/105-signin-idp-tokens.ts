import { migration } from "./migration.js";

/**
 * Sign-in asks the identity provider at every refresh (a person removed there is refused): the provider's
 * tokens are kept sealed under keys the database never holds (src/signin/idp-seal.ts). On a device code's row
 * the public key its box is sealed to and the sealed box (until the code is used), on a session its sealed
 * tokens. New nullable columns only: a session made before has none (it is refused at its next refresh).
 */
export const m105 = migration("105_signin_idp_tokens", async (s) => {
  await s.add("signin_devices", "box_key text, idp_tokens text");
  await s.add("signin_sessions", "idp_tokens text");
});
