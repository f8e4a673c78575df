import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useState } from "react";
import { Link } from "react-router";
import { SecretOnce } from "../components/copy-button";
import { DangerConfirm } from "../components/danger-confirm";
import { Dialog } from "../components/dialog";
import { ErrorNotice, Notice } from "../components/notice";
import { PageHead } from "../components/page";
import { SpendBar } from "../components/spend-bar";
import { api } from "../lib/api";
import { limitsWords, when } from "../lib/format";
import type { Page } from "../lib/pages";
import { useScope } from "../lib/session";
import type { Key, KeyList, MintedKey, TeamList } from "../lib/types";
import { type KeyBody, KeyForm } from "./key-form";

type Open =
  | { kind: "create" }
  | { kind: "edit"; key: Key }
  | { kind: "rotate"; key: Key }
  | { kind: "revoke"; key: Key }
  | { kind: "secret"; title: string; secret: string }
  | undefined;

function statusOf(k: Key): { word: string; cls: string; why?: string } {
  if (k.revoked) return { word: "revoked", cls: "bad" };
  if (k.blocked?.reason === "budget" || k.blocked?.reason === "team_budget")
    return {
      word: k.blocked.reason === "team_budget" ? "blocked: team budget" : "blocked: budget",
      cls: "bad",
      why: `${k.blocked.message}${k.blocked.until ? ` (until ${when(k.blocked.until)})` : ""}`,
    };
  if (k.disabled) return { word: "disabled", cls: "warn" };
  if (k.expires_at && Date.parse(k.expires_at) <= Date.now()) return { word: "expired", cls: "bad" };
  return { word: "active", cls: "ok" };
}

export function Keys() {
  const scope = useScope();
  const client = useQueryClient();
  const [open, setOpen] = useState<Open>();
  const [grace, setGrace] = useState("3600");
  const keys = useQuery({ queryKey: ["keys"], queryFn: () => api<KeyList>("/admin/v1/keys") });
  const teams = useQuery({ queryKey: ["teams"], queryFn: () => api<TeamList>("/admin/v1/teams") });
  const teamName = new Map((teams.data?.data ?? []).map((t) => [t.id, t.name]));
  const refresh = () => client.invalidateQueries({ queryKey: ["keys"] });
  const close = () => setOpen(undefined);

  const rotate = useMutation({
    mutationFn: (k: Key) =>
      api<MintedKey>(`/admin/v1/keys/${k.id}/rotate`, { method: "POST", body: { grace_s: Number(grace) } }),
    onSuccess: (m, k) => {
      void refresh();
      setOpen({ kind: "secret", title: `New secret for ${k.name}`, secret: m.key });
    },
  });
  const revoke = useMutation({
    mutationFn: (k: Key) => api(`/admin/v1/keys/${k.id}`, { method: "DELETE" }),
    onSuccess: () => {
      void refresh();
      close();
    },
  });

  return (
    <>
      <PageHead title="Keys">
        {scope.canEditKeys && (
          <button type="button" className="primary" onClick={() => setOpen({ kind: "create" })}>
            Create key
          </button>
        )}
      </PageHead>
      {!scope.canEditKeys && (
        <Notice kind="info">You are signed in read-only: keys can be looked at, not changed.</Notice>
      )}
      {scope.role === "team_admin" && (
        <Notice kind="info">
          You administer team {scope.session.team}: its keys are listed here, and the keys you create belong to it.
        </Notice>
      )}
      {keys.isError && <ErrorNotice error={keys.error} what="the keys" />}
      {keys.data && (
        <div className="table-wrap">
          <table aria-label="Keys" className="keys-table">
            <thead>
              <tr>
                <th scope="col">Name</th>
                <th scope="col" className="hide-narrow">
                  Prefix
                </th>
                <th scope="col" className="hide-narrow">
                  Team
                </th>
                <th scope="col" className="hide-narrow">
                  Models
                </th>
                <th scope="col">Spend</th>
                <th scope="col" className="hide-narrow">
                  Limits
                </th>
                <th scope="col" className="hide-narrow">
                  Expires
                </th>
                <th scope="col" className="hide-narrow">
                  Last used
                </th>
                <th scope="col">Status</th>
                {scope.canEditKeys && <th scope="col">Actions</th>}
              </tr>
            </thead>
            <tbody>
              {keys.data.data.length === 0 && (
                <tr>
                  <td colSpan={10} className="muted">
                    No keys yet.
                  </td>
                </tr>
              )}
              {keys.data.data.map((k) => {
                const st = statusOf(k);
                return (
                  <tr key={k.id} data-key-id={k.id}>
                    <td className="key-name">
                      <Link to={`/requests?key_id=${encodeURIComponent(k.id)}`} title="This key's requests">
                        {k.name}
                      </Link>
                      {k.user && <div className="muted small">{k.user}</div>}
                    </td>
                    <td className="hide-narrow">
                      <code>{k.prefix}…</code>
                    </td>
                    <td className="hide-narrow">
                      {k.team?.name ?? (k.team_id ? (teamName.get(k.team_id) ?? k.team_id) : "—")}
                    </td>
                    <td className="hide-narrow">{k.allowed_models ?? k.models?.join(", ") ?? "every model"}</td>
                    <td>
                      <SpendBar spent={k.spend_usd} budget={k.budget} />
                    </td>
                    <td className="hide-narrow">{limitsWords(k.limits)}</td>
                    <td className="hide-narrow">{k.expires_at ? when(k.expires_at) : "never"}</td>
                    <td className="hide-narrow">{k.last_used_at ? when(k.last_used_at) : "never"}</td>
                    <td className="key-status">
                      <span className={`badge status-${st.cls}`} title={st.why}>
                        {st.word}
                      </span>
                      {st.why && <div className="muted small">{st.why}</div>}
                    </td>
                    {scope.canEditKeys && (
                      <td>
                        <div className="row-actions">
                          <button type="button" onClick={() => setOpen({ kind: "edit", key: k })}>
                            Edit<span className="sr-only"> {k.name}</span>
                          </button>
                          <button type="button" onClick={() => setOpen({ kind: "rotate", key: k })}>
                            Rotate<span className="sr-only"> {k.name}</span>
                          </button>
                          <button type="button" className="danger" onClick={() => setOpen({ kind: "revoke", key: k })}>
                            Revoke<span className="sr-only"> {k.name}</span>
                          </button>
                        </div>
                      </td>
                    )}
                  </tr>
                );
              })}
            </tbody>
          </table>
        </div>
      )}

      <Dialog open={open?.kind === "create"} title="Create a key" onClose={close}>
        <KeyForm
          teams={teams.data?.data ?? []}
          teamRequired={scope.role === "team_admin"}
          onCancel={close}
          onSubmit={async (body: KeyBody) => {
            const m = await api<MintedKey>("/admin/v1/keys", { method: "POST", body: stripNulls(body) });
            void refresh();
            setOpen({ kind: "secret", title: `Key ${m.name} created`, secret: m.key });
          }}
        />
      </Dialog>
      <Dialog open={open?.kind === "edit"} title={open?.kind === "edit" ? `Edit ${open.key.name}` : ""} onClose={close}>
        {open?.kind === "edit" && (
          <KeyForm
            existing={open.key}
            teams={teams.data?.data ?? []}
            teamRequired={scope.role === "team_admin"}
            onCancel={close}
            onSubmit={async (body) => {
              await api(`/admin/v1/keys/${open.key.id}`, { method: "PATCH", body });
              void refresh();
              close();
            }}
          />
        )}
      </Dialog>
      <Dialog
        open={open?.kind === "rotate"}
        title={open?.kind === "rotate" ? `Rotate ${open.key.name}` : ""}
        onClose={close}
      >
        {open?.kind === "rotate" && (
          <form
            className="stack"
            onSubmit={(e) => {
              e.preventDefault();
              rotate.mutate(open.key);
            }}
          >
            <p>A new secret is made; the old one keeps working for a while so its holder can switch.</p>
            {rotate.isError && <Notice kind="error">{rotate.error.message}</Notice>}
            <label>
              The old secret works for
              <select value={grace} onChange={(e) => setGrace(e.target.value)}>
                <option value="0">no longer (stops now)</option>
                <option value="3600">one hour</option>
                <option value="86400">one day</option>
                <option value="604800">one week</option>
              </select>
            </label>
            <div className="form-actions">
              <button type="button" onClick={close}>
                Cancel
              </button>
              <button type="submit" className="primary" disabled={rotate.isPending}>
                Rotate
              </button>
            </div>
          </form>
        )}
      </Dialog>
      <Dialog
        open={open?.kind === "revoke"}
        title={open?.kind === "revoke" ? `Revoke ${open.key.name}?` : ""}
        onClose={close}
      >
        {open?.kind === "revoke" && (
          <DangerConfirm
            error={revoke.error}
            pending={revoke.isPending}
            action="Revoke key"
            onCancel={close}
            onConfirm={() => revoke.mutate(open.key)}
          >
            Every request with <code>{open.key.prefix}…</code> is refused from now on, on every instance. This cannot be
            undone (to pause a key, edit it and switch it off instead).
          </DangerConfirm>
        )}
      </Dialog>
      <Dialog open={open?.kind === "secret"} title={open?.kind === "secret" ? open.title : ""} onClose={close}>
        {open?.kind === "secret" && (
          <div className="stack">
            <SecretOnce value={open.secret} />
            <div className="form-actions">
              <button type="button" className="primary" onClick={close}>
                Done
              </button>
            </div>
          </div>
        )}
      </Dialog>
    </>
  );
}

/** A new key's body without the fields left empty (the create call takes absence, not null, for "none"). */
export function stripNulls(body: KeyBody): KeyBody {
  return Object.fromEntries(Object.entries(body).filter(([, v]) => v !== null));
}

export const page: Page = {
  path: "/keys",
  order: 40,
  title: "Keys",
  roles: "admins",
  component: Keys,
};
