/**
 * What a handler may say about its own request for the log, beyond what the response itself says (its
 * status is read from the response as it ends).
 */
export interface HttpNote {
  /** Logged at debug level when it ends well (health checks, static files, polling). */
  quiet?: boolean | undefined;
  /** Why it was refused or failed, in words. */
  reason?: string | undefined;
}
