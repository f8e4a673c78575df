import { useState } from "react";
import type { SetURLSearchParams } from "react-router";

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
  return {
    before,
    /** Back to the first page's trail (the filters changed). */
    reset: () => setTrail([]),
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
