/**
 * What a query of the request log or the ledger is confined to: one minted key's rows (self-service) or one
 * team's (a team admin). Both columns are on every row of both tables; each query adds a where per field given.
 */
export interface RowScope {
  keyId?: string | undefined;
  teamId?: string | undefined;
}
