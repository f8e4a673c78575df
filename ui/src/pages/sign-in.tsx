import { useQueryClient } from "@tanstack/react-query";
import { type FormEvent, useEffect, useRef, useState } from "react";
import { SaveError, useSave } from "../components/form-save";
import { api } from "../lib/api";
import { PLAYGROUND_KEY } from "../lib/playground";
import type { SessionInfo } from "../lib/types";

export function SignIn({ info }: { info: SessionInfo }) {
  const client = useQueryClient();
  const [key, setKey] = useState("");
  const input = useRef<HTMLInputElement>(null);
  useEffect(() => input.current?.focus(), []);
  // A single sign-on that failed comes back here saying why (?error=).
  const { error, busy, save } = useSave(new URLSearchParams(window.location.search).get("error") ?? undefined);

  async function submit(e: FormEvent) {
    e.preventDefault();
    await save(async () => {
      await api("/ui/auth/key", { method: "POST", body: { key } });
      // A key holder's own key: the playground sends with it, so they are not asked to paste it again. Kept in
      // this tab only (sessionStorage), as a key pasted into the playground is.
      if (key.trim().startsWith("lx-")) sessionStorage.setItem(PLAYGROUND_KEY, key.trim());
      setKey("");
      if (window.location.pathname.endsWith("/sign-in")) window.history.replaceState(null, "", "/ui/");
      await client.invalidateQueries({ queryKey: ["session"] });
    });
  }

  return (
    <main className="center" id="main">
      <div className="signin card">
        <h1>
          <span aria-hidden="true">⇄</span> llmux
        </h1>
        <p className="muted">Sign in to see traffic, spend, keys and every conversation.</p>
        <SaveError error={error} title="Not signed in" />
        <form onSubmit={(e) => void submit(e)}>
          <label htmlFor="signin-key">Admin key, or your own lx- key</label>
          <input
            id="signin-key"
            type="password"
            autoComplete="current-password"
            value={key}
            onChange={(e) => setKey(e.target.value)}
            required
            ref={input}
          />
          <button type="submit" className="primary" disabled={busy || key.trim() === ""}>
            {busy ? "Signing in…" : "Sign in"}
          </button>
        </form>
        {info.sign_in.oidc && (
          <>
            <div className="or">
              <span>or</span>
            </div>
            <a
              className="button"
              href={`/ui/auth/oidc/start?return_to=${encodeURIComponent(
                window.location.pathname.endsWith("/sign-in")
                  ? "/ui/"
                  : window.location.pathname + window.location.search,
              )}`}
            >
              {info.sign_in.oidc.label}
            </a>
          </>
        )}
        <p className="muted small">
          An <code>lx-</code> key shows its holder's own usage and requests, read-only.
        </p>
      </div>
    </main>
  );
}
