/** A glob (`*` matches anything) as an anchored, case-insensitive regular expression. */
export function globToRegExp(glob: string): RegExp {
  const escaped = glob.replace(/[.+?^${}()|[\]\\]/g, "\\$&").replace(/\*/g, ".*");
  return new RegExp(`^${escaped}$`, "i");
}

/** Globs compiled once (allow-lists and rules ask on every request); at most 10,000 kept. */
const compiled = new Map<string, RegExp>();

/** Whether `name` matches `glob` (compiled once, then kept). */
export function matchesGlob(glob: string, name: string): boolean {
  let re = compiled.get(glob);
  if (!re) {
    if (compiled.size > 10_000) compiled.clear();
    re = globToRegExp(glob);
    compiled.set(glob, re);
  }
  return re.test(name);
}
