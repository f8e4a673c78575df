import { useQuery, useQueryClient } from "@tanstack/react-query";
import { createContext, type ReactNode, useContext, useEffect } from "react";
import { api, whenSignedOut } from "./api";
import { PLAYGROUND_KEY } from "./playground";
import type { Role, SessionInfo } from "./types";

/** What the signed-in browser may see and do. */
export interface Scope {
  session: SessionInfo;
  role: Role;
  /** Admins change everything; read-only sign-ins and key holders only look. */
  canEdit: boolean;
  /** Keys may be minted and changed: by admins, and by team admins (their own team's). */
  canEditKeys: boolean;
  /** Sees the whole gateway (deployments, MCP servers): admins and read-only sign-ins, not a team admin. */
  wholeGateway: boolean;
  /** Where usage lives: the whole gateway, or (a key holder) only their own key. */
  base: "/admin/v1" | "/admin/v1/me";
  signOut(): Promise<void>;
}

const ScopeContext = createContext<Scope | undefined>(undefined);

export function useScope(): Scope {
  const s = useContext(ScopeContext);
  if (!s) throw new Error("useScope outside a signed-in page");
  return s;
}

export function useSession() {
  const client = useQueryClient();
  const q = useQuery({
    queryKey: ["session"],
    queryFn: () => api<SessionInfo>("/ui/auth/session"),
    staleTime: 60_000,
  });
  useEffect(() => {
    whenSignedOut(() => {
      void client.invalidateQueries({ queryKey: ["session"] });
    });
  }, [client]);
  return q;
}

export function ScopeProvider({ session, children }: { session: SessionInfo; children: ReactNode }) {
  const client = useQueryClient();
  const role = session.role ?? "read_only";
  const scope: Scope = {
    session,
    role,
    canEdit: role === "admin",
    canEditKeys: role === "admin" || role === "team_admin",
    wholeGateway: role === "admin" || role === "read_only",
    base: role === "key" ? "/admin/v1/me" : "/admin/v1",
    async signOut() {
      await api("/ui/auth/logout", { method: "POST" });
      sessionStorage.removeItem(PLAYGROUND_KEY);
      client.clear();
      await client.invalidateQueries({ queryKey: ["session"] });
    },
  };
  return <ScopeContext.Provider value={scope}>{children}</ScopeContext.Provider>;
}
