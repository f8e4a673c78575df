import { isPrototypeKey, ownMember } from "../../ir/own-keys.js";
import type { Json, JsonObject } from "../../ir/types.js";

/**
 * `$.recipe.ingredients[0].name` → ["recipe", "ingredients", 0, "name"]; undefined when not a simple path,
 * or when a segment names a prototype (`__proto__`, `constructor`, `prototype`).
 */
export function parseJsonPath(path: string): (string | number)[] | undefined {
  if (!path.startsWith("$")) return undefined;
  const out: (string | number)[] = [];
  const re = /\.([^.[\]]+)|\[(\d+)\]|\['((?:[^'\\]|\\.)*)'\]|\["((?:[^"\\]|\\.)*)"\]/y;
  re.lastIndex = 1;
  while (re.lastIndex < path.length) {
    const m = re.exec(path);
    if (!m) return undefined;
    const key = m[1] ?? (m[2] !== undefined ? Number(m[2]) : (m[3] ?? m[4])!);
    if (isPrototypeKey(key)) return undefined;
    out.push(key);
  }
  return out;
}

/** Whether `key` may be set on `container`: an array takes only its next index or one it has. */
function settable(container: object, key: string | number): boolean {
  if (!Array.isArray(container)) return true;
  return typeof key === "number" && key <= container.length;
}

/**
 * Sets (or, for a string arriving in pieces, appends to) the value at a JSONPath inside `root`, creating
 * the objects and arrays on the way (objects without a prototype). Paths it cannot read are ignored, as are
 * paths through a prototype and array indices past the array's end.
 */
export function setPath(root: JsonObject, path: string, value: Json, append: boolean): void {
  const keys = parseJsonPath(path);
  if (!keys || keys.length === 0) return;
  let node: Json = root;
  for (let i = 0; i < keys.length - 1; i++) {
    const key = keys[i]!;
    const nextIsIndex = typeof keys[i + 1] === "number";
    const container = node as Record<string | number, Json>;
    if (!settable(container, key)) return;
    let child = ownMember(container, key);
    if (child === undefined || child === null || typeof child !== "object") {
      child = nextIsIndex ? [] : (Object.create(null) as JsonObject);
      container[key] = child;
    }
    node = child;
  }
  const last = keys[keys.length - 1]!;
  const container = node as Record<string | number, Json>;
  if (!settable(container, last)) return;
  const current = ownMember(container, last);
  container[last] = append && typeof current === "string" && typeof value === "string" ? current + value : value;
}
