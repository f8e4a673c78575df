import { isObject } from "../ir/input-error.js";
import { isPrototypeKey } from "../ir/own-keys.js";
import type { Dialect, Extras, JsonObject } from "../ir/types.js";
import type { Warnings } from "../ir/warnings.js";

/**
 * Puts a request's unmapped fields back when the target speaks the dialect they came from (objects are
 * merged one level deep, so `stream_options.include_obfuscation` survives next to a mapped
 * `include_usage`); otherwise reports each one as dropped.
 */
export function applyOwnExtras(
  body: JsonObject,
  extras: Extras | undefined,
  dialect: Dialect,
  warnings: Warnings,
  targetName: string,
): void {
  if (!extras) return;
  if (extras.dialect !== dialect) {
    warnings.dropped(extras.fields, targetName);
    return;
  }
  for (const [key, value] of Object.entries(extras.fields)) {
    if (isPrototypeKey(key)) continue;
    const current = body[key];
    body[key] = isObject(current) && isObject(value) ? { ...value, ...current } : value;
  }
}
