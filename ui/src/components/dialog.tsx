import { type ReactNode, useEffect, useId, useRef } from "react";

/**
 * A modal dialog on the browser's own <dialog>: focus moves into it and stays there, Escape closes it,
 * and focus returns to what opened it.
 */
export function Dialog({
  open,
  title,
  onClose,
  children,
  wide,
}: {
  open: boolean;
  title: string;
  onClose: () => void;
  children: ReactNode;
  wide?: boolean;
}) {
  const ref = useRef<HTMLDialogElement>(null);
  const titleId = useId();
  useEffect(() => {
    const d = ref.current;
    if (!d) return;
    if (open && !d.open) {
      d.showModal();
      // What asks for it (data-autofocus), else the first field, else the first button of the body (Cancel,
      // for a question): not the close cross.
      const first =
        d.querySelector<HTMLElement>(".dialog-body [data-autofocus]") ??
        d.querySelector<HTMLElement>(".dialog-body :is(input, select, textarea, button)");
      first?.focus();
    }
    if (!open && d.open) d.close();
  }, [open]);
  return (
    <dialog
      ref={ref}
      className={wide ? "wide" : undefined}
      aria-labelledby={titleId}
      // Only Escape (cancel) and the buttons close it from here: the native close event also follows a
      // close made by the page itself (another dialog opening), which must not count as the user's.
      onCancel={(e) => {
        e.preventDefault();
        onClose();
      }}
    >
      {open && (
        <>
          <header>
            <h2 id={titleId}>{title}</h2>
            <button type="button" className="icon" aria-label="Close" onClick={onClose}>
              ×
            </button>
          </header>
          <div className="dialog-body">{children}</div>
        </>
      )}
    </dialog>
  );
}

/**
 * The dialog for one kind of what a page has open (`open.kind`, a union): shown while that kind is open, its title
 * and its body made from it (`children` is called only then, with `open` narrowed to that kind).
 */
export function DialogFor<O extends { kind: string }, K extends O["kind"]>({
  open,
  kind,
  title,
  onClose,
  wide,
  children,
}: {
  open: O | undefined;
  kind: K;
  title: string | ((o: Extract<O, { kind: K }>) => string);
  onClose: () => void;
  wide?: boolean;
  children: (o: Extract<O, { kind: K }>) => ReactNode;
}) {
  const o = open?.kind === kind ? (open as Extract<O, { kind: K }>) : undefined;
  return (
    <Dialog
      open={o !== undefined}
      title={o === undefined ? "" : typeof title === "string" ? title : title(o)}
      onClose={onClose}
      wide={wide}
    >
      {o !== undefined && children(o)}
    </Dialog>
  );
}
