/** A request's status code, coloured by outcome, with its error class when it failed. */
export function StatusBadge({ row }: { row: { status: number; outcome: string; error_class: string | null } }) {
  const kind = row.outcome === "ok" ? "ok" : row.outcome === "aborted" ? "warn" : "bad";
  return (
    <span className={`badge status-${kind}`} title={row.error_class ?? row.outcome}>
      {row.status}
      {row.outcome !== "ok" && <span className="badge-note"> {row.error_class ?? row.outcome}</span>}
    </span>
  );
}
