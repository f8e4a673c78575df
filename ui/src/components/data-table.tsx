import type { ReactNode } from "react";

/** A column: its heading, `num` for figures (right-aligned), `narrow` to hide it on narrow screens, a `title`. */
export interface ColumnSpec {
  label: ReactNode;
  num?: boolean;
  narrow?: boolean;
  title?: string;
  /** React's key when the label is not plain text. */
  key?: string;
}

/** A column: plain text, or its spec; `false` leaves the column out (one only admins see, say). */
export type Column = string | ColumnSpec | false;

/** A figure column (right-aligned), hidden on narrow screens when `narrow`. */
export const num = (label: string, narrow = false): ColumnSpec => ({ label, num: true, narrow });

/** A column hidden on narrow screens. */
export const narrow = (label: string): ColumnSpec => ({ label, narrow: true });

/** The class of a column's heading and cells. */
export function cellClass(c: Pick<ColumnSpec, "num" | "narrow">): string | undefined {
  return [c.num && "num", c.narrow && "hide-narrow"].filter(Boolean).join(" ") || undefined;
}

const spec = (c: string | ColumnSpec): ColumnSpec => (typeof c === "string" ? { label: c } : c);

/**
 * A table with its column headings, its rows (`children`), the line it shows when it has none (`empty`, across
 * every column) and an optional footer, in the scrolling wrapper every table of the UI sits in.
 */
export function DataTable({
  label,
  className,
  busy,
  columns,
  empty,
  foot,
  children,
}: {
  label?: string;
  className?: string;
  busy?: boolean;
  columns: Column[];
  /** What the table says when it has no rows; false or absent: it has rows. */
  empty?: ReactNode;
  foot?: ReactNode;
  children: ReactNode;
}) {
  const shown = columns.filter((c): c is string | ColumnSpec => c !== false).map(spec);
  return (
    <div className="table-wrap">
      <table className={className} aria-label={label} aria-busy={busy}>
        <thead>
          <tr>
            {shown.map((c, i) => (
              <th
                key={c.key ?? (typeof c.label === "string" ? c.label : i)}
                scope="col"
                className={cellClass(c)}
                title={c.title}
              >
                {c.label}
              </th>
            ))}
          </tr>
        </thead>
        <tbody>
          {empty !== undefined && empty !== false && (
            <tr>
              <td colSpan={shown.length} className="muted">
                {empty}
              </td>
            </tr>
          )}
          {children}
        </tbody>
        {foot && <tfoot>{foot}</tfoot>}
      </table>
    </div>
  );
}
