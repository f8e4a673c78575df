import { dirname } from "node:path";
import type { Config } from "../config/schema.js";
import type { Data } from "../data/data.js";
import type { Logger } from "../log/logger.js";
import { type Redactor, redactorOf } from "../secrets/redact.js";
import type { Bodies } from "./bodies.js";
import { RequestLog } from "./request-log.js";
import type { RequestLogRow } from "./row.js";

/**
 * The writer of the request log (`logging.requests`, on by default) and the spend ledger, on the data layer;
 * undefined without one. With `logging.requests: false` it writes the ledger's rows only. With
 * `logging.conversations`, each finished request is also rendered on standard output.
 */
export function requestLogOf(
  config: Config,
  logger: Logger,
  data: Data | undefined,
  redactor: Redactor = redactorOf(config),
): RequestLog | undefined {
  const l = config.logging;
  if (!data) return undefined;
  const dir = config.billing.spool_dir ?? dirname(config.store.path);
  let show: ((row: RequestLogRow, bodies: Bodies | undefined) => void) | undefined;
  if (l.requests && l.conversations) {
    const live = import("./live.js").then((m) => m.liveConversations(process.stdout));
    show = (row, bodies) =>
      void live
        .then((print) => print(row, bodies))
        .catch((err: unknown) => logger.warn({ err: (err as Error).message }, "could not show a conversation"));
  }
  let outage = false;
  const log = new RequestLog(
    data,
    dir,
    {
      requests: l.requests,
      bodies: l.bodies,
      bodyMaxBytes: Math.round(l.body_max_kb * 1024),
      retentionDays: l.retention_days,
      bodiesRetentionDays: l.bodies_retention_days,
      conversations: l.conversations,
    },
    redactor,
    {
      // One line when the database stops taking rows, one when it caught up: not one per batch meanwhile.
      spooled: (rows, err, file) => {
        const line = { rows, dir, err: err instanceof Error ? err.message : String(err) };
        if (outage) {
          logger.debug(line, `${rows} more settled request(s) spooled while the database does not take them`);
          return;
        }
        outage = true;
        logger.error(
          line,
          `the database did not take ${rows} settled request(s), their request log and ledger row(s): kept in ${dir} (${file}) until it does (their bodies are not kept)`,
        );
      },
      caughtUp: (rows) => {
        outage = false;
        logger.warn({ rows }, `the ledger caught up, with the request log: ${rows} spooled request(s) written`);
      },
      pruneFailed: (err) => logger.warn({ err: (err as Error).message }, "pruning the request log failed"),
      ...(show ? { finished: show } : {}),
    },
  );
  if (l.requests) log.startPruning();
  return log;
}
