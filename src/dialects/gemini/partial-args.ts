import type { Json, JsonObject } from "../../ir/types.js";

/** `$.recipe.ingredients[0].name` → ["recipe", "ingredients", 0, "name"]; undefined when not a simple path. */
export function parseJsonPath(path: string): (string | number)[] | undefined {
  if (!path.startsWith("$")) return undefined;
  const out: (string | number)[] = [];
  const re = /\.([^.[\]]+)|\[(\d+)\]|\['((?:[^'\\]|\\.)*)'\]|\["((?:[^"\\]|\\.)*)"\]/y;
  re.lastIndex = 1;
  while (re.lastIndex < path.length) {
    const m = re.exec(path);
    if (!m) return undefined;
    if (m[1] !== undefined) out.push(m[1]);
    else if (m[2] !== undefined) out.push(Number(m[2]));
    else out.push((m[3] ?? m[4])!);
  }
  return out;
}

/**
 * Sets (or, for a string arriving in pieces, appends to) the value at a JSONPath inside `root`, creating
 * the objects and arrays on the way. Paths it cannot read are ignored.
 */
export function setPath(root: JsonObject, path: string, value: Json, append: boolean): void {
  const keys = parseJsonPath(path);
  if (!keys || keys.length === 0) return;
  let node: Json = root;
  for (let i = 0; i < keys.length - 1; i++) {
    const key = keys[i]!;
    const nextIsIndex = typeof keys[i + 1] === "number";
    const container = node as Record<string | number, Json>;
    let child = container[key];
    if (child === undefined || child === null || typeof child !== "object") {
      child = nextIsIndex ? [] : {};
      container[key] = child;
    }
    node = child;
  }
  const last = keys[keys.length - 1]!;
  const container = node as Record<string | number, Json>;
  const current = container[last];
  container[last] = append && typeof current === "string" && typeof value === "string" ? current + value : value;
}
