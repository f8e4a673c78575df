import { type ReactNode, useState } from "react";
import { Notice } from "./notice";

/**
 * A form's save: `save(work)` runs it with the form busy, and keeps what it threw (its message) to show in
 * `<SaveError>` until the next try (`initialError`: one to show before any, from the address, say).
 */
export function useSave(initialError?: string) {
  const [error, setError] = useState<string | undefined>(initialError);
  const [busy, setBusy] = useState(false);
  async function save(work: () => Promise<void>) {
    setBusy(true);
    setError(undefined);
    try {
      await work();
    } catch (err) {
      setError((err as Error).message);
    } finally {
      setBusy(false);
    }
  }
  return { error, busy, save };
}

/** Why the last save failed, when it did (`title`: what did not happen). */
export function SaveError({ error, title = "Not saved" }: { error: string | undefined; title?: string }) {
  if (!error) return null;
  return (
    <Notice kind="error" title={title}>
      {error}
    </Notice>
  );
}

/** A form's Cancel and submit buttons (the submit one off while the form saves). */
export function FormActions({ busy, submit, onCancel }: { busy: boolean; submit: string; onCancel: () => void }) {
  return (
    <div className="form-actions">
      <button type="button" onClick={onCancel}>
        Cancel
      </button>
      <button type="submit" className="primary" disabled={busy}>
        {submit}
      </button>
    </div>
  );
}

/**
 * What a dialog's form for one entry (a key, a team, an MCP server) is given: the entry when it changes one
 * (absent: it makes one), what to do with the body it reads, and Cancel.
 */
export interface EntryFormProps<T> {
  existing?: T | undefined;
  onSubmit: (body: Record<string, unknown>) => Promise<void>;
  onCancel: () => void;
}

/**
 * A form that saves: on submit, `onSubmit` is given its fields (and the form, to reset) and does the work, the
 * form busy meanwhile; what it throws is shown above the fields. Cancel and the submit button (`submit`: its
 * words) are below them.
 */
export function SaveForm({
  label,
  submit,
  onSubmit,
  onCancel,
  children,
}: {
  label?: string;
  submit: string;
  onSubmit: (form: FormData, el: HTMLFormElement) => Promise<void>;
  onCancel: () => void;
  children: ReactNode;
}) {
  const { error, busy, save } = useSave();
  return (
    <form
      className="stack"
      aria-label={label}
      onSubmit={(e) => {
        e.preventDefault();
        const el = e.currentTarget;
        const form = new FormData(el);
        void save(() => onSubmit(form, el));
      }}
    >
      <SaveError error={error} />
      {children}
      <FormActions busy={busy} submit={submit} onCancel={onCancel} />
    </form>
  );
}
