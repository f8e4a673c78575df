/** Filters kept in the page's address (`?model=…&status=5xx`), read into a form and back. */

/** The named filters' values in the address ("" where unset). */
export function filtersOf<K extends string>(names: readonly K[], params: URLSearchParams): Record<K, string> {
  return Object.fromEntries(names.map((k) => [k, params.get(k) ?? ""])) as Record<K, string>;
}

/** A submitted filter form as the address's query: the named fields that are set, trimmed (then `convert`ed). */
export function filtersFrom<K extends string>(
  form: HTMLFormElement,
  names: readonly K[],
  convert: (name: K, value: string) => string = (_, v) => v,
): URLSearchParams {
  const data = new FormData(form);
  const next = new URLSearchParams();
  for (const k of names) {
    const v = convert(k, String(data.get(k) ?? "").trim());
    if (v) next.set(k, v);
  }
  return next;
}

/** A `datetime-local` field's value (the reader's time) as ISO ("" when empty). */
export const isoOfLocal = (local: string) => (local ? new Date(local).toISOString() : "");

/** An ISO time as a `datetime-local` field's value, in the reader's time ("" when none or not a time). */
export function localOfIso(iso: string | null | undefined): string {
  if (!iso) return "";
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return "";
  return new Date(d.getTime() - d.getTimezoneOffset() * 60_000).toISOString().slice(0, 16);
}
