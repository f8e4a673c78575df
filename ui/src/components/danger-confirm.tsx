import type { ReactNode } from "react";
import { Notice } from "./notice";

/** The body of a dialog that confirms something that cannot be undone: what happens, its error, Cancel and the act. */
export function DangerConfirm({
  children,
  error,
  pending,
  action,
  onCancel,
  onConfirm,
}: {
  /** What confirming does, in words. */
  children: ReactNode;
  error?: Error | null;
  pending: boolean;
  /** The button's words ("Revoke key"). */
  action: string;
  onCancel: () => void;
  onConfirm: () => void;
}) {
  return (
    <div className="stack">
      <p>{children}</p>
      {error && <Notice kind="error">{error.message}</Notice>}
      <div className="form-actions">
        <button type="button" onClick={onCancel}>
          Cancel
        </button>
        <button type="button" className="danger" disabled={pending} onClick={onConfirm}>
          {action}
        </button>
      </div>
    </div>
  );
}
