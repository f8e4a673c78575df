import type { ReactNode } from "react";

/** A page's title line, with its actions at the right. */
export function PageHead({ title, children }: { title: string; children?: ReactNode }) {
  return (
    <div className="page-head">
      <h1>{title}</h1>
      {children && <div className="actions">{children}</div>}
    </div>
  );
}

export function Card({ title, children, className }: { title?: string; children: ReactNode; className?: string }) {
  return (
    <section className={`card ${className ?? ""}`} aria-label={title}>
      {title && <h2>{title}</h2>}
      {children}
    </section>
  );
}

export function Tile({ label, value, hint }: { label: string; value: string; hint?: string }) {
  return (
    <div className="tile">
      <span className="tile-label">{label}</span>
      <span className="tile-value" data-testid={`tile-${label.toLowerCase().replace(/\W+/g, "-")}`}>
        {value}
      </span>
      {hint && <span className="tile-hint">{hint}</span>}
    </div>
  );
}
