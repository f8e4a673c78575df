import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { type FormEvent, useState } from "react";
import { Link } from "react-router";
import { DangerConfirm } from "../components/danger-confirm";
import { DataTable, narrow, num } from "../components/data-table";
import { Dialog } from "../components/dialog";
import { FormActions, SaveError, useSave } from "../components/form-save";
import { ErrorNotice } from "../components/notice";
import { PageHead } from "../components/page";
import { QuotaFields, readQuota } from "../components/quota-fields";
import { SpendBar } from "../components/spend-bar";
import { api } from "../lib/api";
import { limitsWords } from "../lib/format";
import type { Page } from "../lib/pages";
import { useScope } from "../lib/session";
import type { KeyList, Team, TeamList } from "../lib/types";
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
  const teams = useQuery({ queryKey: ["teams"], queryFn: () => api<TeamList>("/admin/v1/teams") });
  const keys = useQuery({ queryKey: ["keys"], queryFn: () => api<KeyList>("/admin/v1/keys") });
  const keyCount = new Map<string, number>();
  for (const k of keys.data?.data ?? []) if (k.team_id) keyCount.set(k.team_id, (keyCount.get(k.team_id) ?? 0) + 1);
  const close = () => setOpen(undefined);
  const refresh = () => {
    void client.invalidateQueries({ queryKey: ["teams"] });
    void client.invalidateQueries({ queryKey: ["keys"] });
  };
  const remove = useMutation({
    mutationFn: (t: Team) => api(`/admin/v1/teams/${t.id}`, { method: "DELETE" }),
    onSuccess: () => {
      refresh();
      close();
    },
  });

  return (
    <>
      <PageHead title="Teams">
        {scope.canEdit && (
          <button type="button" className="primary" onClick={() => setOpen({ kind: "create" })}>
            Create team
          </button>
        )}
      </PageHead>
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
                      <button type="button" onClick={() => setOpen({ kind: "edit", team: t })}>
                        Edit<span className="sr-only"> {t.name}</span>
                      </button>
                    )}
                    <button type="button" onClick={() => setOpen({ kind: "caps", team: t })}>
                      Member caps<span className="sr-only"> of {t.name}</span>
                    </button>
                    {scope.canEdit && (
                      <button type="button" className="danger" onClick={() => setOpen({ kind: "delete", team: t })}>
                        Delete<span className="sr-only"> {t.name}</span>
                      </button>
                    )}
                  </div>
                </td>
              )}
            </tr>
          ))}
        </DataTable>
      )}
      <Dialog open={open?.kind === "create"} title="Create a team" onClose={close}>
        {open?.kind === "create" && (
          <TeamForm
            onCancel={close}
            onSubmit={async (body) => {
              const clean = Object.fromEntries(Object.entries(body).filter(([, v]) => v !== null));
              await api("/admin/v1/teams", { method: "POST", body: clean });
              refresh();
              close();
            }}
          />
        )}
      </Dialog>
      <Dialog
        open={open?.kind === "edit"}
        title={open?.kind === "edit" ? `Edit ${open.team.name}` : ""}
        onClose={close}
      >
        {open?.kind === "edit" && (
          <TeamForm
            existing={open.team}
            onCancel={close}
            onSubmit={async (body) => {
              await api(`/admin/v1/teams/${open.team.id}`, { method: "PATCH", body });
              refresh();
              close();
            }}
          />
        )}
      </Dialog>
      <Dialog
        open={open?.kind === "caps"}
        title={open?.kind === "caps" ? `What members of ${open.team.name} mint for themselves` : ""}
        onClose={close}
      >
        {open?.kind === "caps" && <MemberCapsForm team={open.team} onDone={close} />}
      </Dialog>
      <Dialog
        open={open?.kind === "delete"}
        title={open?.kind === "delete" ? `Delete ${open.team.name}?` : ""}
        onClose={close}
      >
        {open?.kind === "delete" && (
          <DangerConfirm
            error={remove.error}
            pending={remove.isPending}
            action="Delete team"
            onCancel={close}
            onConfirm={() => remove.mutate(open.team)}
          >
            Deleting the team revokes its {keyCount.get(open.team.id) ?? 0} key(s): every request with them is refused
            from now on.
          </DangerConfirm>
        )}
      </Dialog>
    </>
  );
}

function TeamForm({
  existing,
  onSubmit,
  onCancel,
}: {
  existing?: Team;
  onSubmit: (body: Record<string, unknown>) => Promise<void>;
  onCancel: () => void;
}) {
  const { error, busy, save } = useSave();
  async function submit(e: FormEvent<HTMLFormElement>) {
    e.preventDefault();
    const form = new FormData(e.currentTarget);
    await save(() => onSubmit({ name: String(form.get("name") ?? "").trim(), ...readQuota(form) }));
  }
  return (
    <form className="stack" onSubmit={(e) => void submit(e)}>
      <SaveError error={error} />
      <label>
        Name
        <input name="name" required maxLength={200} defaultValue={existing?.name ?? ""} />
      </label>
      <QuotaFields models={existing?.models} budget={existing?.budget} limits={existing?.limits} />
      <p className="hint">A team's allow-list bounds its keys' own; its budget and limits count every key's use.</p>
      <FormActions busy={busy} submit={existing ? "Save" : "Create team"} onCancel={onCancel} />
    </form>
  );
}

export const page: Page = {
  path: "/teams",
  order: 50,
  title: (v) => (v.whole ? "Teams" : "Team"),
  roles: "admins",
  component: Teams,
};
