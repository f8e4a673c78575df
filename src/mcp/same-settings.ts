/** Whether two servers' settings are the same, whatever the order of their keys (a JSON value compared as such). */
export function sameSettings(a: unknown, b: unknown): boolean {
  return canonical(a) === canonical(b);
}

/** Settings that only decide what is offered and how long a call may take: changed without reconnecting. */
const LIVE = new Set(["tools", "timeout_ms", "own_credential"]);

/** Whether two servers' settings connect the same way (they differ at most in what is offered and timeouts). */
export function sameConnection(a: object, b: object): boolean {
  const strip = (v: object) => Object.fromEntries(Object.entries(v).filter(([k]) => !LIVE.has(k)));
  return sameSettings(strip(a), strip(b));
}

function canonical(v: unknown): string {
  return JSON.stringify(v, (_k, x: unknown) =>
    x && typeof x === "object" && !Array.isArray(x)
      ? Object.fromEntries(
          Object.entries(x as Record<string, unknown>).sort(([p], [q]) => (p < q ? -1 : p > q ? 1 : 0)),
        )
      : x,
  );
}
