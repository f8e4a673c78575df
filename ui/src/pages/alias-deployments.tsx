import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { type FormEvent, useState } from "react";
import { DangerConfirm } from "../components/danger-confirm";
import { DataTable } from "../components/data-table";
import { FormActions, SaveError, useSave } from "../components/form-save";
import { ErrorNotice, Notice } from "../components/notice";
import { api } from "../lib/api";
import type { AliasDeploymentPut, AliasDeployments as List } from "../lib/types";

const listPath = (alias: string) => `/admin/v1/config/models/${encodeURIComponent(alias)}/deployments`;
const onePath = (alias: string, name: string) => `${listPath(alias)}/${encodeURIComponent(name)}`;

/**
 * The deployments of one model alias, each by its name (its own, or provider/model): added, replaced and
 * removed one at a time. A change is a new version of the alias's stored entry; an alias of llmux.yaml becomes
 * a stored alias over it (the file's deployments with the change), which the answer's note says.
 */
export function AliasDeployments({
  alias,
  canEdit,
  onClose,
}: {
  alias: string;
  canEdit: boolean;
  onClose: () => void;
}) {
  const client = useQueryClient();
  const [removing, setRemoving] = useState<string>();
  const [note, setNote] = useState<string | null>(null);
  const q = useQuery({ queryKey: ["config", "deployments", alias], queryFn: () => api<List>(listPath(alias)) });
  // The whole page's configuration moves too (the alias may now be stored over the file's).
  const refresh = () => void client.invalidateQueries({ queryKey: ["config"] });
  const remove = useMutation({
    mutationFn: (name: string) => api<{ note: string | null }>(onePath(alias, name), { method: "DELETE" }),
    onSuccess: (out) => {
      setNote(out.note);
      setRemoving(undefined);
      refresh();
    },
  });
  if (removing !== undefined)
    return (
      <DangerConfirm
        error={remove.error}
        pending={remove.isPending}
        action="Remove"
        onCancel={() => {
          remove.reset();
          setRemoving(undefined);
        }}
        onConfirm={() => remove.mutate(removing)}
      >
        {`Every instance stops sending ${alias}'s requests to ${removing} within 2 s; requests in flight finish on it.`}
      </DangerConfirm>
    );
  return (
    <div className="stack">
      {q.isError && <ErrorNotice error={q.error} what="the deployments" />}
      {note && <Notice kind="info">{note}</Notice>}
      {q.data && (
        <DataTable
          label={`Deployments of ${alias}`}
          columns={["Name", "Provider", "Model", "Settings", canEdit && "Actions"]}
          empty={q.data.data.length === 0 && "No deployments."}
        >
          {q.data.data.map((d) => (
            <tr key={d.name} data-deployment={d.name}>
              <td>
                <strong>{d.name}</strong>
              </td>
              <td>{d.provider}</td>
              <td>{d.model}</td>
              <td>
                <code className="small">{JSON.stringify(d.settings)}</code>
              </td>
              {canEdit && (
                <td>
                  <button type="button" className="danger" onClick={() => setRemoving(d.name)}>
                    Remove<span className="sr-only"> {d.name}</span>
                  </button>
                </td>
              )}
            </tr>
          ))}
        </DataTable>
      )}
      {canEdit ? (
        <DeploymentForm
          alias={alias}
          onDone={(out) => {
            setNote(out.note);
            refresh();
          }}
          onCancel={onClose}
        />
      ) : (
        <div className="form-actions">
          <button type="button" onClick={onClose}>
            Close
          </button>
        </div>
      )}
    </div>
  );
}

function DeploymentForm({
  alias,
  onDone,
  onCancel,
}: {
  alias: string;
  onDone: (out: AliasDeploymentPut) => void;
  onCancel: () => void;
}) {
  const { error, busy, save } = useSave();
  async function submit(e: FormEvent<HTMLFormElement>) {
    e.preventDefault();
    const form = e.currentTarget;
    const data = new FormData(form);
    await save(async () => {
      let settings: Record<string, unknown>;
      try {
        settings = JSON.parse(String(data.get("settings") ?? ""));
      } catch {
        throw new Error("Settings: not JSON");
      }
      if (!settings || typeof settings !== "object" || Array.isArray(settings))
        throw new Error("Settings: an object, as one item of deployments: in llmux.yaml");
      const given = String(data.get("name") ?? "").trim();
      const model = typeof settings.model === "string" ? settings.model : alias;
      const name =
        given || (typeof settings.name === "string" ? settings.name : `${String(settings.provider ?? "")}/${model}`);
      const out = await api<AliasDeploymentPut>(onePath(alias, name), { method: "PUT", body: settings });
      form.reset();
      onDone(out);
    });
  }
  return (
    <form className="stack" onSubmit={(e) => void submit(e)} aria-label="Add a deployment">
      <h3>Add or replace a deployment</h3>
      <SaveError error={error} />
      <label>
        Deployment name (empty: provider/model; an existing name replaces that deployment)
        <input name="name" maxLength={256} />
      </label>
      <label>
        Deployment settings (JSON, as one item of deployments: in llmux.yaml)
        <textarea name="settings" rows={4} required defaultValue={'{"provider": "", "model": "", "weight": 1}'} />
      </label>
      <FormActions busy={busy} submit="Add deployment" onCancel={onCancel} />
    </form>
  );
}
