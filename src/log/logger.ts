import { type DestinationStream, type Logger, pino } from "pino";
import { COLOURS, PLAIN, terminalLine } from "./terminal-line.js";

export type { Logger };

/** Writes each pino line as a short human line (terminal-line.ts) to `out`. */
export function terminalStream(
  out: { write(s: string): unknown; isTTY?: boolean },
  colour = out.isTTY === true && !process.env.NO_COLOR,
): DestinationStream {
  const style = colour ? COLOURS : PLAIN;
  return {
    write(line: string) {
      let obj: Record<string, unknown>;
      try {
        obj = JSON.parse(line) as Record<string, unknown>;
      } catch {
        out.write(line);
        return;
      }
      out.write(`${terminalLine(obj, style)}\n`);
    },
  };
}

/**
 * Logs to standard output: short lines for a person when stdout is a terminal (or `pretty` says so), one JSON
 * object per line otherwise (or when `pretty` is false).
 */
export function createLogger(level: string, pretty?: boolean, sync = false): Logger {
  const human = pretty ?? process.stdout.isTTY === true;
  if (human) return pino({ level, base: undefined }, terminalStream(process.stdout));
  // Written from a background write, off the request path (unless `sync`: a process that logs rarely, like
  // the workers' supervisor); flushed when the gateway closes.
  return pino(
    { level, base: undefined, timestamp: pino.stdTimeFunctions.isoTime },
    pino.destination({ dest: 1, sync }),
  );
}
