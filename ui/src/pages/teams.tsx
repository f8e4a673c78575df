import { useMutation, useQueryClient } from "@tanstack/react-query";
import { useState } from "react";
import { Link } from "react-router";
import { ConfirmDialog } from "../components/danger-confirm";
import { DataTable, narrow, num } from "../components/data-table";
import { DialogFor } from "../components/dialog";
import { type EntryFormProps, SaveForm } from "../components/form-save";
import { ErrorNotice } from "../components/notice";
import { PageHead } from "../components/page";
import { QuotaFields, readQuota } from "../components/quota-fields";
import { RowAction } from "../components/row-action";
import { SpendBar } from "../components/spend-bar";
import { api, stripNulls } from "../lib/api";
import { limitsWords } from "../lib/format";
import { useKeys, useTeams } from "../lib/owners";
import type { Page } from "../lib/pages";
import { useScope } from "../lib/session";
import type { Team } from "../lib/types";
import { MemberCapsForm } from "./member-caps-form";

type Open =
  | { kind: "create" }
  | { kind: "edit"; team: Team }
  | { kind: "caps"; team: Team }
  | { kind: "delete"; team: Team }
  | undefined;

export function Teams() {
  const scope = useScope();
  const client = useQueryClient();
  const [open, setOpen] = useState<Open>();
  const teams = useTeams();
  const keys = useKeys();
  const keyCount = new Map<string, number>();
  for (const k of keys.data?.data ?? []) if (k.team_id) keyCount.set(k.team_id, (keyCount.get(k.team_id) ?? 0) + 1);
  const close = () => setOpen(undefined);
  /** After a change: the teams and their keys read again, the dialog closed. */
  const done = () => {
    void client.invalidateQueries({ queryKey: ["teams"] });
    void client.invalidateQueries({ queryKey: ["keys"] });
    close();
  };
  const remove = useMutation({
    mutationFn: (t: Team) => api(`/admin/v1/teams/${t.id}`, { method: "DELETE" }),
    onSuccess: done,
  });

  return (
    <>
      <PageHead
        title="Teams"
        action={scope.canEdit && { words: "Create team", onClick: () => setOpen({ kind: "create" }) }}
      />
      {teams.isError && <ErrorNotice error={teams.error} what="the teams" />}
      {teams.data && (
        <DataTable
          label="Teams"
          columns={["Name", narrow("Models"), "Spend", narrow("Limits"), num("Keys"), scope.canEditKeys && "Actions"]}
          empty={teams.data.data.length === 0 && "No teams yet."}
        >
          {teams.data.data.map((t) => (
            <tr key={t.id}>
              <td>
                <Link to={`/requests?team_id=${encodeURIComponent(t.id)}`} title="This team's requests">
                  {t.name}
                </Link>
              </td>
              <td className="hide-narrow">{t.models?.join(", ") ?? "all"}</td>
              <td>
                <SpendBar spent={t.spend_usd} budget={t.budget} />
              </td>
              <td className="hide-narrow">{limitsWords(t.limits)}</td>
              <td className="num">{keyCount.get(t.id) ?? 0}</td>
              {scope.canEditKeys && (
                <td>
                  <div className="row-actions">
                    {scope.canEdit && (
                      <RowAction what={t.name} onClick={() => setOpen({ kind: "edit", team: t })}>
                        Edit
                      </RowAction>
                    )}
                    <RowAction what={`of ${t.name}`} onClick={() => setOpen({ kind: "caps", team: t })}>
                      Member caps
                    </RowAction>
                    {scope.canEdit && (
                      <RowAction what={t.name} danger onClick={() => setOpen({ kind: "delete", team: t })}>
                        Delete
                      </RowAction>
                    )}
                  </div>
                </td>
              )}
            </tr>
          ))}
        </DataTable>
      )}
      <DialogFor open={open} kind="create" title="Create a team" onClose={close}>
        {() => (
          <TeamForm
            onCancel={close}
            onSubmit={async (body) => {
              await api("/admin/v1/teams", { method: "POST", body: stripNulls(body) });
              done();
            }}
          />
        )}
      </DialogFor>
      <DialogFor open={open} kind="edit" title={(o) => `Edit ${o.team.name}`} onClose={close}>
        {(o) => (
          <TeamForm
            existing={o.team}
            onCancel={close}
            onSubmit={async (body) => {
              await api(`/admin/v1/teams/${o.team.id}`, { method: "PATCH", body });
              done();
            }}
          />
        )}
      </DialogFor>
      <DialogFor
        open={open}
        kind="caps"
        title={(o) => `What members of ${o.team.name} mint for themselves`}
        onClose={close}
      >
        {(o) => <MemberCapsForm team={o.team} onDone={close} />}
      </DialogFor>
      <ConfirmDialog
        open={open}
        kind="delete"
        title={(o) => `Delete ${o.team.name}?`}
        onClose={close}
        action="Delete team"
        mutation={remove}
        on={(o) => o.team}
      >
        {(o) =>
          `Deleting the team revokes its ${keyCount.get(o.team.id) ?? 0} key(s): every request with them is refused from now on.`
        }
      </ConfirmDialog>
    </>
  );
}

function TeamForm({ existing, onSubmit, onCancel }: EntryFormProps<Team>) {
  return (
    <SaveForm
      submit={existing ? "Save" : "Create team"}
      onCancel={onCancel}
      onSubmit={(form) => onSubmit({ name: String(form.get("name") ?? "").trim(), ...readQuota(form) })}
    >
      <label>
        Name
        <input name="name" required maxLength={200} defaultValue={existing?.name ?? ""} />
      </label>
      <QuotaFields models={existing?.models} budget={existing?.budget} limits={existing?.limits} />
      <p className="hint">A team's allow-list bounds its keys' own; its budget and limits count every key's use.</p>
    </SaveForm>
  );
}

export const page: Page = {
  path: "/teams",
  order: 50,
  title: (v) => (v.whole ? "Teams" : "Team"),
  roles: "admins",
  component: Teams,
};
