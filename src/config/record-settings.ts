import type { RecordConfig } from "./schema-observe.js";

/** `logging.record` in its full form. */
export function recordSettings(value: string | RecordConfig | undefined): RecordConfig | undefined {
  if (value === undefined) return undefined;
  if (typeof value === "string") return { dir: value, keep_text: false, max_exchanges: 1000 };
  return value;
}
