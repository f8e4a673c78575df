import type { ReactNode } from "react";
import { DialogFor } from "./dialog";
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

/**
 * The dialog that confirms an act on one kind of what a page has open (DialogFor): `action` runs `mutation` on
 * what `on` picks from it (the key, the team); the words (`children`) say what that does.
 */
export function ConfirmDialog<O extends { kind: string }, K extends O["kind"], A>({
  open,
  kind,
  title,
  onClose,
  action,
  mutation,
  on,
  children,
}: {
  open: O | undefined;
  kind: K;
  title: (o: Extract<O, { kind: K }>) => string;
  onClose: () => void;
  action: string;
  mutation: { error: Error | null; isPending: boolean; mutate: (arg: A) => void };
  on: (o: Extract<O, { kind: K }>) => A;
  children: (o: Extract<O, { kind: K }>) => ReactNode;
}) {
  return (
    <DialogFor open={open} kind={kind} title={title} onClose={onClose}>
      {(o) => (
        <DangerConfirm
          error={mutation.error}
          pending={mutation.isPending}
          action={action}
          onCancel={onClose}
          onConfirm={() => mutation.mutate(on(o))}
        >
          {children(o)}
        </DangerConfirm>
      )}
    </DialogFor>
  );
}
