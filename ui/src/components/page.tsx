import type { ReactNode } from "react";
import { Link } from "react-router";
import { QueryState } from "./notice";

/** What a page makes, as the primary button of its title line ("Create key"); false: not for this viewer. */
export type PageAction = { words: string; onClick: () => void } | false;

/** A page's title line, with its actions at the right (`children`, then the page's `action`). */
export function PageHead({ title, action, children }: { title: string; action?: PageAction; children?: ReactNode }) {
  return (
    <div className="page-head">
      <h1>{title}</h1>
      {(children || action) && (
        <div className="actions">
          {children}
          {action && (
            <button type="button" className="primary" onClick={action.onClick}>
              {action.words}
            </button>
          )}
        </div>
      )}
    </div>
  );
}

/**
 * A page of one thing (a request, a session): its title line with the way back to the list (`back`: where, in
 * words), then what its query answered, drawn by `children` (till then the query's state; `what` names it).
 */
export function DetailPage<T>({
  title,
  back,
  query,
  what,
  children,
}: {
  title: string;
  back: readonly [to: string, words: string];
  query: { isError: boolean; isPending: boolean; error: Error | null; data: T | undefined };
  what: string;
  children: (data: T) => ReactNode;
}) {
  return (
    <>
      <PageHead title={title}>
        <Link to={back[0]} className="button">
          {back[1]}
        </Link>
      </PageHead>
      <QueryState query={query} what={what} />
      {query.data !== undefined && children(query.data)}
    </>
  );
}

export function Card({ title, children, className }: { title?: string; children: ReactNode; className?: string }) {
  return (
    <section className={`card ${className ?? ""}`} aria-label={title}>
      {title && <h2>{title}</h2>}
      {children}
    </section>
  );
}

export function Tile({ label, value, hint }: { label: string; value: string; hint?: string }) {
  return (
    <div className="tile">
      <span className="tile-label">{label}</span>
      <span className="tile-value" data-testid={`tile-${label.toLowerCase().replace(/\W+/g, "-")}`}>
        {value}
      </span>
      {hint && <span className="tile-hint">{hint}</span>}
    </div>
  );
}
