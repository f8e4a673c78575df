import { useState } from "react";

/** Copies a text (a key shown once) to the clipboard, and says so. */
export function CopyButton({ text, label = "Copy" }: { text: string; label?: string }) {
  const [done, setDone] = useState<"copied" | "failed" | undefined>();
  async function copy() {
    try {
      await navigator.clipboard.writeText(text);
      setDone("copied");
    } catch {
      setDone("failed");
    }
  }
  return (
    <button type="button" onClick={() => void copy()} aria-live="polite">
      {done === "copied" ? "Copied ✓" : done === "failed" ? "Select and copy it" : label}
    </button>
  );
}

/**
 * A secret shown once, whole (the `lx-` prefix included, wrapped on a narrow screen rather than scrolled out
 * of sight), selected with one click, with a copy button.
 */
export function SecretOnce({ value, what = "key" }: { value: string; what?: string }) {
  return (
    <div className="secret">
      <p>
        This {what} is shown <strong>once</strong>: llmux keeps only its hash. Copy it now.
      </p>
      <div className="secret-row">
        {/* Not a one-line field: it scrolls a long key out of sight (its lx- prefix); this wraps it, whole. */}
        <textarea
          readOnly
          rows={2}
          className="secret-value"
          value={value}
          aria-label={`The new ${what}`}
          data-testid="secret"
          data-autofocus
          spellCheck={false}
          onFocus={(e) => e.currentTarget.select()}
        />
        <CopyButton text={value} />
      </div>
    </div>
  );
}
