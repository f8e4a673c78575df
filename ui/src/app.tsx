import { Suspense } from "react";
import { Navigate, Route, Routes } from "react-router";
import { Layout } from "./components/layout";
import { Notice } from "./components/notice";
import { pagesFor } from "./lib/pages";
import { ScopeProvider, useSession } from "./lib/session";
import { SignIn } from "./pages/sign-in";

export function App() {
  const session = useSession();
  if (session.isPending) return <p className="loading">Loading…</p>;
  if (session.isError)
    return (
      <main className="center">
        <Notice kind="error" title="llmux did not answer">
          {session.error.message}
        </Notice>
      </main>
    );
  const info = session.data;
  if (!info.signed_in) return <SignIn info={info} />;
  // Deployments and MCP servers are the whole gateway's: not a team admin's.
  const viewer = {
    own: info.role === "key",
    whole: info.role === "admin" || info.role === "read_only",
    member: info.via === "oidc",
  };
  return (
    <ScopeProvider session={info}>
      <Layout>
        <Suspense fallback={<p className="loading">Loading…</p>}>
          <Routes>
            {pagesFor(viewer).map((p) => (
              <Route key={p.path} path={p.path} element={<p.component />} />
            ))}
            <Route path="/sign-in" element={<Navigate to="/" replace />} />
            <Route
              path="*"
              element={
                <Notice kind="error" title="No such page">
                  This address is not a page of llmux's UI.
                </Notice>
              }
            />
          </Routes>
        </Suspense>
      </Layout>
    </ScopeProvider>
  );
}
