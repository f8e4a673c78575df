import type { ReactNode } from "react";

/** A message box: an error, a warning, or a hint. Errors are announced to screen readers. */
export function Notice({
  kind = "info",
  title,
  children,
}: {
  kind?: "info" | "error" | "warning" | "success";
  title?: string;
  children?: ReactNode;
}) {
  return (
    <div className={`notice notice-${kind}`} role={kind === "error" ? "alert" : "status"}>
      {title && <strong>{title}</strong>}
      {children && <div>{children}</div>}
    </div>
  );
}

/** What a failed call said, or what a missing route means. */
export function ErrorNotice({ error, what }: { error: Error; what: string }) {
  const status = (error as { status?: number }).status;
  const missing = status === 404 && /no admin route/.test(error.message);
  return (
    <Notice kind="error" title={`Could not load ${what}`}>
      {missing ? `This llmux does not answer ${what} (${error.message}).` : error.message}
    </Notice>
  );
}

/**
 * A query's state while it has no answer to show: what it said when it failed (`what` names it: "the audit log
 * (GET /admin/v1/audit)"), "Loading…" until its first answer.
 */
export function QueryState({
  query,
  what,
}: {
  query: { isError: boolean; isPending: boolean; error: Error | null };
  what: string;
}) {
  return (
    <>
      {query.isError && query.error && <ErrorNotice error={query.error} what={what} />}
      {query.isPending && <p className="loading">Loading…</p>}
    </>
  );
}
