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
  const options = { level, base: undefined, timestamp: isoTime };
  if (sync) return pino(options, pino.destination({ dest: 1, sync }));
  return jsonLogger(
    level,
    batched(pino.destination({ dest: 1, sync: false, minLength: BATCH_BYTES, contentMode: "buffer" })),
  );
}

/** Loggers made by jsonLogger: pino's defaults but the time (no serializers, formatters, hooks, mixin, bindings). */
const plainLoggers = new WeakSet<Logger>();

/** One JSON object per line to `dest` (createLogger's, for standard output). */
export function jsonLogger(level: string, dest: DestinationStream): Logger {
  const logger = pino({ level, base: undefined, timestamp: isoTime }, dest);
  plainLoggers.add(logger);
  return logger;
}

type Level = "debug" | "info" | "warn";

interface PinoInternals {
  [key: symbol]: unknown;
}

/**
 * Logs a line of plain data (strings, numbers, booleans, and objects and arrays of them: no Error, no cycle)
 * as `logger[level](obj, msg)` would, the same bytes in the same order, with the engine's JSON.stringify
 * instead of pino's property-by-property serialisation (its part of the request's line was about 2% of a
 * small request's CPU). Only for a logger of createLogger's; any other logger, or data JSON cannot
 * serialise, goes through pino.
 */
export function logData(logger: Logger, level: Level, obj: object, msg: string): void {
  if (!plainLoggers.has(logger)) {
    logger[level](obj, msg);
    return;
  }
  let body: string;
  try {
    body = JSON.stringify(obj);
  } catch {
    logger[level](obj, msg);
    return;
  }
  const p = logger as unknown as PinoInternals;
  const { lsCacheSym, timeSym, streamSym } = pino.symbols;
  const head = (p[lsCacheSym] as Record<number, string>)[logger.levels.values[level]!]!;
  const time = (p[timeSym] as () => string)();
  const fields = body.length > 2 ? `,${body.slice(1, -1)}` : "";
  (p[streamSym] as DestinationStream).write(`${head}${time}${fields},"msg":${JSON.stringify(msg)}}\n`);
}

let second = Number.NaN;
let secondText = "";

/**
 * pino's `isoTime` (`,"time":"2026-11-25T09:50:12.345Z"`), the date and time formatted once per second
 * rather than by a Date and its toISOString for every line: only the milliseconds change between lines.
 */
export function isoTime(now = Date.now()): string {
  const ms = now % 1000;
  const s = now - ms;
  if (s !== second) {
    second = s;
    secondText = `,"time":"${new Date(s).toISOString().slice(0, 20)}`;
  }
  return `${secondText}${ms < 10 ? "00" : ms < 100 ? "0" : ""}${ms}Z"`;
}

/** Lines are gathered up to this many bytes per write (one write per request cost more than the line itself). */
const BATCH_BYTES = 8 * 1024;
/** …and written at most this long after the first of them, whatever the traffic. */
const BATCH_MS = 50;

type Boom = ReturnType<typeof pino.destination>;

/**
 * A background destination that gathers lines into one write of up to BATCH_BYTES, and writes what it holds
 * BATCH_MS after the first line at the latest (a quiet gateway's last lines are not held). pino flushes the
 * destination synchronously when the process exits; a killed process loses at most BATCH_MS of lines.
 */
function batched(boom: Boom): DestinationStream & { flush(cb?: (err?: Error) => void): void } {
  let timer: NodeJS.Timeout | undefined;
  const due = () => {
    timer = undefined;
    try {
      boom.flush();
    } catch {
      // closed meanwhile: pino wrote what it held as the process ended
    }
  };
  return {
    write(line: string) {
      // As bytes: a destination that gathers text appends each line to one string and measures that string's
      // bytes again at every line (flattening it first), a copy of what it holds per line (about 4 kB of
      // garbage per request); one that gathers bytes keeps the lines apart and joins them once per write.
      boom.write(Buffer.from(line) as unknown as string);
      if (timer === undefined) {
        timer = setTimeout(due, BATCH_MS);
        timer.unref();
      }
    },
    flush(cb?: (err?: Error) => void) {
      if (timer !== undefined) clearTimeout(timer);
      timer = undefined;
      boom.flush(cb);
    },
  };
}
