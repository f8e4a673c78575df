/**
 * A button acting on one row or card: its words, and after them, for screen readers only, what it acts on
 * (`what`: "alpha", "of alpha"), so that "Edit alpha" is told apart from the next row's "Edit".
 */
export function RowAction({
  children,
  what,
  danger = false,
  disabled,
  onClick,
}: {
  children: string;
  what: string;
  danger?: boolean;
  disabled?: boolean;
  onClick: () => void;
}) {
  return (
    <button type="button" className={danger ? "danger" : undefined} disabled={disabled} onClick={onClick}>
      {children}
      <span className="sr-only"> {what}</span>
    </button>
  );
}
