import { type ReactNode, useEffect, useRef } from "react";
import { NavLink, useLocation } from "react-router";
import { linksFor } from "../lib/pages";
import { useScope } from "../lib/session";

const ROLE_WORDS = { admin: "admin", read_only: "read-only", team_admin: "team admin", key: "key holder" } as const;

export function Layout({ children }: { children: ReactNode }) {
  const scope = useScope();
  const main = useRef<HTMLElement>(null);
  const location = useLocation();
  // After a page change (not the first page), keyboard and screen-reader users start at the new content.
  const shown = useRef(location.pathname);
  useEffect(() => {
    if (shown.current === location.pathname) return;
    shown.current = location.pathname;
    main.current?.focus({ preventScroll: true });
  }, [location.pathname]);
  // A team admin sees their own team's pages alone: no deployments, MCP servers or alerts.
  const links = linksFor({
    own: scope.role === "key",
    whole: scope.wholeGateway,
    member: scope.session.via === "oidc",
  });
  return (
    <div className="shell">
      <a className="skip" href="#main">
        Skip to content
      </a>
      <header className="top">
        <span className="brand">
          <span aria-hidden="true">⇄</span> llmux
        </span>
        <nav aria-label="Pages">
          <ul>
            {links.map(([to, label]) => (
              <li key={to}>
                <NavLink to={to} end={to === "/"}>
                  {label}
                </NavLink>
              </li>
            ))}
          </ul>
        </nav>
        <div className="who">
          <span className="who-name" title={scope.session.email ?? undefined}>
            {scope.session.name}
          </span>
          <span className={`badge role-${scope.role}`}>
            {ROLE_WORDS[scope.role]}
            {scope.role === "team_admin" && scope.session.team ? ` · ${scope.session.team}` : ""}
          </span>
          <button type="button" className="link" onClick={() => void scope.signOut()}>
            Sign out
          </button>
        </div>
      </header>
      <main id="main" ref={main} tabIndex={-1}>
        {children}
      </main>
    </div>
  );
}
