/**
 * What a handler may say about its own request for the log, beyond what the response itself says (its
 * status is read from the response as it ends).
 */
export interface HttpNote {
  /** Logged at debug level when it ends well (health checks, static files, polling). */
  quiet?: boolean | undefined;
  /**
   * A client's probe of what an endpoint supports (MCP's sessionless GET, `server/discover`), answered as the
   * protocol says: not a failure, whatever its status (logged at debug level, as `quiet`).
   */
  probe?: boolean | undefined;
  /** Why it was refused or failed, in words. */
  reason?: string | undefined;
}
