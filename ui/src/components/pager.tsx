import { useState } from "react";
import type { SetURLSearchParams, URLSearchParamsInit } from "react-router";

/**
 * Keyset pages kept in the address (`?before=CURSOR`): the cursors of the pages before this one are
 * remembered, so "Newer" goes back without asking the server.
 */
export function useKeysetPages(params: URLSearchParams, setParams: SetURLSearchParams) {
  const [trail, setTrail] = useState<string[]>([]);
  const before = params.get("before") ?? undefined;
  const go = (cursor: string | undefined, back: boolean) => {
    const next = new URLSearchParams(params);
    if (cursor) next.set("before", cursor);
    else next.delete("before");
    setTrail((t) => (back ? t.slice(0, -1) : [...t, before ?? ""]));
    setParams(next);
  };
  /** Other filters in the address: the first page of what they select (the trail forgotten). */
  const refilter = (filters: URLSearchParamsInit) => {
    setTrail([]);
    setParams(filters);
  };
  return {
    before,
    refilter,
    /**
     * The page's one filter `name` as a PickFilter takes it: its value in the address ("" when unset), and
     * picking another (the first page of what it selects; "": every row).
     */
    only: (name: string) => ({
      value: params.get(name) ?? "",
      onPick: (v: string) => refilter(v ? { [name]: v } : {}),
    }),
    newer: () => go(trail.at(-1) || undefined, true),
    older: (cursor: string) => go(cursor, false),
  };
}

/** "← Newer" and "Older →" for keyset pages. */
export function Pager(props: {
  label: string;
  pages: ReturnType<typeof useKeysetPages>;
  next: string | null | undefined;
}) {
  const { pages, next } = props;
  return (
    <nav className="pager" aria-label={props.label}>
      <button type="button" disabled={!pages.before} onClick={pages.newer}>
        ← Newer
      </button>
      <button type="button" disabled={!next} onClick={() => next && pages.older(next)}>
        Older →
      </button>
    </nav>
  );
}
