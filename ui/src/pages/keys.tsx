import { useMutation, useQueryClient } from "@tanstack/react-query";
import { useState } from "react";
import { Link } from "react-router";
import { SecretOnce } from "../components/copy-button";
import { ConfirmDialog } from "../components/danger-confirm";
import { DataTable, narrow } from "../components/data-table";
import { DialogFor } from "../components/dialog";
import { SelectField } from "../components/fields";
import { FormActions } from "../components/form-save";
import { ErrorNotice, Notice } from "../components/notice";
import { PageHead } from "../components/page";
import { RowAction } from "../components/row-action";
import { SpendBar } from "../components/spend-bar";
import { api, stripNulls } from "../lib/api";
import { limitsWords, when } from "../lib/format";
import { namesById, useKeys, useTeams } from "../lib/owners";
import type { Page } from "../lib/pages";
import { useScope } from "../lib/session";
import type { Key, MintedKey } from "../lib/types";
import { KeyForm } from "./key-form";

type Open =
  | { kind: "create" }
  | { kind: "edit"; key: Key }
  | { kind: "rotate"; key: Key }
  | { kind: "revoke"; key: Key }
  | { kind: "secret"; title: string; secret: string }
  | undefined;

/** How long a rotated key's old secret keeps working, in seconds. */
const GRACE = [
  ["0", "no longer (stops now)"],
  ["3600", "one hour"],
  ["86400", "one day"],
  ["604800", "one week"],
] as const;

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
  const keys = useKeys();
  const teams = useTeams();
  const teamName = namesById(teams.data);
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
      <PageHead
        title="Keys"
        action={scope.canEditKeys && { words: "Create key", onClick: () => setOpen({ kind: "create" }) }}
      />
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
        <DataTable
          label="Keys"
          className="keys-table"
          columns={[
            "Name",
            narrow("Prefix"),
            narrow("Team"),
            narrow("Models"),
            "Spend",
            narrow("Limits"),
            narrow("Expires"),
            narrow("Last used"),
            "Status",
            scope.canEditKeys && "Actions",
          ]}
          empty={keys.data.data.length === 0 && "No keys yet."}
        >
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
                      <RowAction what={k.name} onClick={() => setOpen({ kind: "edit", key: k })}>
                        Edit
                      </RowAction>
                      <RowAction what={k.name} onClick={() => setOpen({ kind: "rotate", key: k })}>
                        Rotate
                      </RowAction>
                      <RowAction what={k.name} danger onClick={() => setOpen({ kind: "revoke", key: k })}>
                        Revoke
                      </RowAction>
                    </div>
                  </td>
                )}
              </tr>
            );
          })}
        </DataTable>
      )}

      <DialogFor open={open} kind="create" title="Create a key" onClose={close}>
        {() => (
          <KeyForm
            teams={teams.data?.data ?? []}
            teamRequired={scope.role === "team_admin"}
            onCancel={close}
            onSubmit={async (body) => {
              const m = await api<MintedKey>("/admin/v1/keys", { method: "POST", body: stripNulls(body) });
              void refresh();
              setOpen({ kind: "secret", title: `Key ${m.name} created`, secret: m.key });
            }}
          />
        )}
      </DialogFor>
      <DialogFor open={open} kind="edit" title={(o) => `Edit ${o.key.name}`} onClose={close}>
        {(o) => (
          <KeyForm
            existing={o.key}
            teams={teams.data?.data ?? []}
            teamRequired={scope.role === "team_admin"}
            onCancel={close}
            onSubmit={async (body) => {
              await api(`/admin/v1/keys/${o.key.id}`, { method: "PATCH", body });
              void refresh();
              close();
            }}
          />
        )}
      </DialogFor>
      <DialogFor open={open} kind="rotate" title={(o) => `Rotate ${o.key.name}`} onClose={close}>
        {(o) => (
          <form
            className="stack"
            onSubmit={(e) => {
              e.preventDefault();
              rotate.mutate(o.key);
            }}
          >
            <p>A new secret is made; the old one keeps working for a while so its holder can switch.</p>
            {rotate.isError && <Notice kind="error">{rotate.error.message}</Notice>}
            <SelectField
              label="The old secret works for"
              values={GRACE}
              value={grace}
              onChange={(e) => setGrace(e.target.value)}
            />
            <FormActions busy={rotate.isPending} submit="Rotate" onCancel={close} />
          </form>
        )}
      </DialogFor>
      <ConfirmDialog
        open={open}
        kind="revoke"
        title={(o) => `Revoke ${o.key.name}?`}
        onClose={close}
        action="Revoke key"
        mutation={revoke}
        on={(o) => o.key}
      >
        {(o) => (
          <>
            Every request with <code>{o.key.prefix}…</code> is refused from now on, on every instance. This cannot be
            undone (to pause a key, edit it and switch it off instead).
          </>
        )}
      </ConfirmDialog>
      <DialogFor open={open} kind="secret" title={(o) => o.title} onClose={close}>
        {(o) => (
          <div className="stack">
            <SecretOnce value={o.secret} />
            <div className="form-actions">
              <button type="button" className="primary" onClick={close}>
                Done
              </button>
            </div>
          </div>
        )}
      </DialogFor>
    </>
  );
}

export const page: Page = {
  path: "/keys",
  order: 40,
  title: "Keys",
  roles: "admins",
  component: Keys,
};
