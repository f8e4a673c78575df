import { useState } from "react";
import { Notice } from "./notice";

/**
 * A form's save: `save(work)` runs it with the form busy, and keeps what it threw (its message) to show in
 * `<SaveError>` until the next try.
 */
export function useSave() {
  const [error, setError] = useState<string | undefined>();
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

/** Why the last save failed, when it did. */
export function SaveError({ error }: { error: string | undefined }) {
  if (!error) return null;
  return (
    <Notice kind="error" title="Not saved">
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
