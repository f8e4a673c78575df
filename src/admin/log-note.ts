/**
 * What a handler outside the generation pipeline (the admin API, the web UI, signup) says about its request
 * for the gateway's log line and request log, beyond what the response itself says (its status is read from
 * the response as it ends). The gateway passes its own record, which has these two fields.
 */
export interface LogNote {
  /** Logged at debug level when it ends well (the UI's files, its session polling). */
  quiet?: boolean | undefined;
  /** Why it was refused or failed, in words. */
  reason?: string | undefined;
}
