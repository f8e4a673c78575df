import { lazy, Suspense } from "react";
import { Navigate, Route, Routes } from "react-router";
import { Layout } from "./components/layout";
import { Notice } from "./components/notice";
import { ScopeProvider, useSession } from "./lib/session";
import { Alerts } from "./pages/alerts";
import { Audit } from "./pages/audit";
import { Deployments } from "./pages/deployments";
import { Keys } from "./pages/keys";
import { Mcp } from "./pages/mcp";
import { Overview } from "./pages/overview";
import { Requests } from "./pages/requests";
import { SessionPage } from "./pages/session";
import { Sessions } from "./pages/sessions";
import { SignIn } from "./pages/sign-in";
import { Signins } from "./pages/signins";
import { Spend } from "./pages/spend";
import { Teams } from "./pages/teams";

// The request page and the playground carry the Markdown renderer and the code highlighter: loaded when first opened.
const RequestPage = lazy(() => import("./pages/request-view").then((m) => ({ default: m.RequestPage })));
const Playground = lazy(() => import("./pages/playground-view").then((m) => ({ default: m.Playground })));

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
  const admin = info.role !== "key";
  // Deployments and MCP servers are the whole gateway's: not a team admin's.
  const whole = info.role === "admin" || info.role === "read_only";
  return (
    <ScopeProvider session={info}>
      <Layout>
        <Suspense fallback={<p className="loading">Loading…</p>}>
          <Routes>
            <Route path="/" element={<Overview />} />
            <Route path="/requests" element={<Requests />} />
            <Route path="/requests/:id" element={<RequestPage />} />
            <Route path="/sessions" element={<Sessions />} />
            <Route path="/sessions/:id" element={<SessionPage />} />
            <Route path="/spend" element={<Spend />} />
            <Route path="/playground" element={<Playground />} />
            {admin && <Route path="/keys" element={<Keys />} />}
            {admin && <Route path="/teams" element={<Teams />} />}
            {whole && <Route path="/deployments" element={<Deployments />} />}
            {whole && <Route path="/mcp" element={<Mcp />} />}
            {whole && <Route path="/alerts" element={<Alerts />} />}
            {admin && <Route path="/audit" element={<Audit />} />}
            {admin && <Route path="/signins" element={<Signins />} />}
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
