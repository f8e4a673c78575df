import { type Logger, pino } from "pino";

export type { Logger };

/** JSON logs (pretty when stdout is a terminal, unless told otherwise). */
export function createLogger(level: string, pretty?: boolean): Logger {
  const usePretty = pretty ?? process.stdout.isTTY === true;
  if (usePretty) {
    return pino({
      level,
      transport: {
        target: "pino-pretty",
        options: { colorize: true, translateTime: "SYS:HH:MM:ss.l", ignore: "pid,hostname" },
      },
    });
  }
  // Written from a background write, off the request path; flushed when the gateway closes.
  return pino(
    { level, base: undefined, timestamp: pino.stdTimeFunctions.isoTime },
    pino.destination({ dest: 1, sync: false }),
  );
}
