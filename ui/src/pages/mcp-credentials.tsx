import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import type { FormEvent } from "react";
import { DataTable } from "../components/data-table";
import { Options } from "../components/fields";
import { SaveError, useSave } from "../components/form-save";
import { ErrorNotice, Notice } from "../components/notice";
import { RowAction } from "../components/row-action";
import { api } from "../lib/api";
import { useKeys, useTeams } from "../lib/owners";
import type { McpCredential, McpCredentialList, McpServerSettings } from "../lib/types";
import { readPairs } from "./mcp-form";

/**
 * Keys' and teams' own credentials for one server (a developer's token): who holds one (never the values),
 * removing one, and setting one for a key or a team.
 */
export function McpCredentials({ server }: { server: McpServerSettings }) {
  const client = useQueryClient();
  const path = `/admin/v1/mcp/servers/${encodeURIComponent(server.name)}/credentials`;
  const held = useQuery({ queryKey: ["mcp-credentials", server.name], queryFn: () => api<McpCredentialList>(path) });
  const keys = useKeys();
  const teams = useTeams();
  const { error, busy, save } = useSave();
  const refresh = () => void client.invalidateQueries({ queryKey: ["mcp-credentials", server.name] });
  const remove = useMutation({
    mutationFn: (c: McpCredential) =>
      api(
        `${path}?${c.key_id ? `key_id=${encodeURIComponent(c.key_id)}` : `team_id=${encodeURIComponent(c.team_id!)}`}`,
        {
          method: "DELETE",
        },
      ),
    onSuccess: refresh,
  });
  const stdio = server.transport === "stdio";
  const nameOf = (c: McpCredential) =>
    c.key_id
      ? `key ${keys.data?.data.find((k) => k.id === c.key_id)?.name ?? c.key_id}`
      : `team ${teams.data?.data.find((t) => t.id === c.team_id)?.name ?? c.team_id}`;

  async function submit(e: FormEvent<HTMLFormElement>) {
    e.preventDefault();
    const el = e.currentTarget;
    const form = new FormData(el);
    await save(async () => {
      const holder = String(form.get("holder") ?? "");
      const values = readPairs(String(form.get("values") ?? ""), stdio ? "=" : ":", stdio ? "Environment" : "Headers");
      const body = {
        ...(holder.startsWith("team_") ? { team_id: holder } : { key_id: holder }),
        [stdio ? "env" : "headers"]: values,
      };
      await api(path, { method: "POST", body });
      el.reset();
      refresh();
    });
  }

  return (
    <div className="stack">
      <p className="hint">
        A key's own credential is used for its calls instead of the server's; a team's, for its keys without one.
        {server.own_credential === "required" && " This server refuses keys without one."}{" "}
        {server.own_credential_fields.length > 0
          ? `It may set: ${server.own_credential_fields.join(", ")}.`
          : "This server declares nothing an own credential may set (edit it to list the names)."}
      </p>
      {held.isError && <ErrorNotice error={held.error} what="the credentials" />}
      <DataTable
        label={`Own credentials for ${server.name}`}
        columns={["Holder", "Set", "Actions"]}
        empty={held.data?.data.length === 0 && "None yet."}
      >
        {held.data?.data.map((c) => (
          <tr key={`${c.key_id ?? ""}${c.team_id ?? ""}`} data-holder={c.key_id ?? c.team_id}>
            <td>{nameOf(c)}</td>
            <td>
              <code>{[...Object.keys(c.env), ...Object.keys(c.headers)].join(", ")}</code>
            </td>
            <td>
              <RowAction what={nameOf(c)} danger disabled={remove.isPending} onClick={() => remove.mutate(c)}>
                Remove
              </RowAction>
            </td>
          </tr>
        ))}
      </DataTable>
      {remove.isError && <Notice kind="error">{remove.error.message}</Notice>}
      <form className="stack" onSubmit={(e) => void submit(e)} aria-label="Set a credential">
        <SaveError error={error} />
        <label>
          For
          <select name="holder" required defaultValue="">
            <option value="" disabled>
              a key or a team…
            </option>
            <Options values={(keys.data?.data ?? []).map((k) => [k.id, `key ${k.name}`] as const)} />
            <Options values={(teams.data?.data ?? []).map((t) => [t.id, `team ${t.name}`] as const)} />
          </select>
        </label>
        <label>
          {stdio ? "Environment (NAME=VALUE per line)" : "Headers (Name: value per line)"}
          <textarea name="values" rows={2} required autoComplete="off" spellCheck={false} />
        </label>
        <div className="form-actions">
          <button type="submit" className="primary" disabled={busy}>
            Set credential
          </button>
        </div>
      </form>
    </div>
  );
}
