import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { type FormEvent, useState } from "react";
import { DangerConfirm } from "../components/danger-confirm";
import { DataTable } from "../components/data-table";
import { Dialog } from "../components/dialog";
import { FormActions, SaveError, useSave } from "../components/form-save";
import { ErrorNotice } from "../components/notice";
import { PageHead } from "../components/page";
import { api } from "../lib/api";
import type { Page } from "../lib/pages";
import { useScope } from "../lib/session";
import type { ConfigEntry, ConfigView } from "../lib/types";
import { AliasDeployments } from "./alias-deployments";

type Kind = "models" | "providers";
type Open =
  | { kind: "edit"; entry?: ConfigEntry; of: Kind }
  | { kind: "delete"; entry: ConfigEntry }
  | { kind: "deployments"; alias: string }
  | undefined;

const path = (kind: string, name: string) => `/admin/v1/config/${kind}/${encodeURIComponent(name)}`;

/**
 * Models and providers in force: llmux.yaml's (read-only) and those stored here, which every instance uses
 * within 2 s. Stored entries are added, edited (their settings as in llmux.yaml, as JSON) and removed; an
 * alias's deployments are listed, added and removed one at a time (its Deployments button).
 */
export function Models() {
  const scope = useScope();
  const client = useQueryClient();
  const [open, setOpen] = useState<Open>();
  const q = useQuery({ queryKey: ["config"], queryFn: () => api<ConfigView>("/admin/v1/config") });
  const close = () => setOpen(undefined);
  const refresh = () => void client.invalidateQueries({ queryKey: ["config"] });
  const remove = useMutation({
    mutationFn: (e: ConfigEntry) => api(path(e.kind, e.name), { method: "DELETE" }),
    onSuccess: () => {
      refresh();
      close();
    },
  });
  const table = (kind: Kind, rows: ConfigEntry[]) => (
    <DataTable
      label={kind === "models" ? "Model aliases" : "Providers"}
      columns={["Name", "Source", "Settings", scope.canEdit && "Actions"]}
      empty={rows.length === 0 && `No ${kind}.`}
    >
      {rows.map((e) => (
        <tr key={e.name} data-entry={`${kind}/${e.name}`}>
          <td>
            <strong>{e.name}</strong>
          </td>
          <td>
            {e.source === "llmux.yaml" ? (
              <span className="badge">from llmux.yaml</span>
            ) : (
              <span className="badge status-ok">
                stored{e.overrides_file ? " over llmux.yaml" : ""} · v{e.version}
              </span>
            )}
          </td>
          <td>
            <code className="small">{JSON.stringify(e.settings)}</code>
          </td>
          {scope.canEdit && (
            <td>
              <div className="row-actions">
                {kind === "models" && (
                  <button type="button" onClick={() => setOpen({ kind: "deployments", alias: e.name })}>
                    Deployments<span className="sr-only"> of {e.name}</span>
                  </button>
                )}
                {e.source === "stored" && (
                  <>
                    <button type="button" onClick={() => setOpen({ kind: "edit", entry: e, of: kind })}>
                      Edit<span className="sr-only"> {e.name}</span>
                    </button>
                    <button type="button" className="danger" onClick={() => setOpen({ kind: "delete", entry: e })}>
                      Remove<span className="sr-only"> {e.name}</span>
                    </button>
                  </>
                )}
              </div>
            </td>
          )}
        </tr>
      ))}
    </DataTable>
  );
  return (
    <>
      <PageHead title="Models">
        {scope.canEdit && (
          <>
            <button type="button" className="primary" onClick={() => setOpen({ kind: "edit", of: "models" })}>
              Add model
            </button>
            <button type="button" onClick={() => setOpen({ kind: "edit", of: "providers" })}>
              Add provider
            </button>
          </>
        )}
      </PageHead>
      {q.isError && <ErrorNotice error={q.error} what="the models" />}
      {q.data && (
        <>
          <h2>Model aliases</h2>
          {table("models", q.data.models)}
          <h2>Providers</h2>
          {table("providers", q.data.providers)}
          <p className="hint">
            Version {q.data.version}. Stored entries add to or replace llmux.yaml's by name; every instance uses them
            within 2 s. Credentials are sealed and shown as "[sealed]" (keep it to keep the stored one).
          </p>
        </>
      )}
      <Dialog
        open={open?.kind === "edit"}
        title={
          open?.kind === "edit"
            ? open.entry
              ? `Edit ${open.entry.name}`
              : `Add a ${open.of === "models" ? "model alias" : "provider"}`
            : ""
        }
        onClose={close}
      >
        {open?.kind === "edit" && (
          <EntryForm
            entry={open.entry}
            onCancel={close}
            onSubmit={async (name, settings) => {
              await api(path(open.of, name), { method: "PUT", body: settings });
              refresh();
              close();
            }}
          />
        )}
      </Dialog>
      <Dialog
        open={open?.kind === "deployments"}
        title={open?.kind === "deployments" ? `Deployments of ${open.alias}` : ""}
        onClose={close}
        wide
      >
        {open?.kind === "deployments" && (
          <AliasDeployments alias={open.alias} canEdit={scope.canEdit} onClose={close} />
        )}
      </Dialog>
      <Dialog
        open={open?.kind === "delete"}
        title={open?.kind === "delete" ? `Remove ${open.entry.name}?` : ""}
        onClose={close}
      >
        {open?.kind === "delete" && (
          <DangerConfirm
            error={remove.error}
            pending={remove.isPending}
            action="Remove"
            onCancel={close}
            onConfirm={() => remove.mutate(open.entry)}
          >
            {open.entry.overrides_file
              ? "llmux.yaml's entry of this name is in force again on every instance."
              : "Every instance stops serving it within 2 s."}
          </DangerConfirm>
        )}
      </Dialog>
    </>
  );
}

function EntryForm({
  entry,
  onSubmit,
  onCancel,
}: {
  entry?: ConfigEntry | undefined;
  onSubmit: (name: string, settings: unknown) => Promise<void>;
  onCancel: () => void;
}) {
  const { error, busy, save } = useSave();
  async function submit(e: FormEvent<HTMLFormElement>) {
    e.preventDefault();
    const form = new FormData(e.currentTarget);
    const name = String(form.get("name") ?? "").trim();
    await save(async () => {
      let settings: unknown;
      try {
        settings = JSON.parse(String(form.get("settings") ?? ""));
      } catch {
        throw new Error("Settings: not JSON");
      }
      await onSubmit(name, settings);
    });
  }
  return (
    <form className="stack" onSubmit={(e) => void submit(e)}>
      <SaveError error={error} />
      <label>
        Name
        <input name="name" required maxLength={128} defaultValue={entry?.name ?? ""} readOnly={entry !== undefined} />
      </label>
      <label>
        Settings (JSON, as in llmux.yaml)
        <textarea
          name="settings"
          rows={8}
          required
          defaultValue={entry ? JSON.stringify(entry.settings, null, 2) : '{"provider": "", "model": ""}'}
        />
      </label>
      <FormActions busy={busy} submit={entry ? "Save" : "Add"} onCancel={onCancel} />
    </form>
  );
}

export const page: Page = {
  path: "/models",
  order: 65,
  title: "Models",
  roles: "whole",
  component: Models,
};
