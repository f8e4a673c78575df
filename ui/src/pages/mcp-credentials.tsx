import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { type FormEvent, useState } from "react";
import { DataTable } from "../components/data-table";
import { ErrorNotice, Notice } from "../components/notice";
import { api } from "../lib/api";
import type { KeyList, McpCredential, McpCredentialList, McpServerSettings, TeamList } from "../lib/types";
import { readPairs } from "./mcp-form";

/**
 * Keys' and teams' own credentials for one server (a developer's token): who holds one (never the values),
 * removing one, and setting one for a key or a team.
 */
export function McpCredentials({ server }: { server: McpServerSettings }) {
  const client = useQueryClient();
  const path = `/admin/v1/mcp/servers/${encodeURIComponent(server.name)}/credentials`;
  const held = useQuery({ queryKey: ["mcp-credentials", server.name], queryFn: () => api<McpCredentialList>(path) });
  const keys = useQuery({ queryKey: ["keys"], queryFn: () => api<KeyList>("/admin/v1/keys") });
  const teams = useQuery({ queryKey: ["teams"], queryFn: () => api<TeamList>("/admin/v1/teams") });
  const [error, setError] = useState<string | undefined>();
  const [busy, setBusy] = useState(false);
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
    setBusy(true);
    setError(undefined);
    try {
      const holder = String(form.get("holder") ?? "");
      const values = readPairs(String(form.get("values") ?? ""), stdio ? "=" : ":", stdio ? "Environment" : "Headers");
      const body = {
        ...(holder.startsWith("team_") ? { team_id: holder } : { key_id: holder }),
        [stdio ? "env" : "headers"]: values,
      };
      await api(path, { method: "POST", body });
      el.reset();
      refresh();
    } catch (err) {
      setError((err as Error).message);
    } finally {
      setBusy(false);
    }
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
              <button type="button" className="danger" disabled={remove.isPending} onClick={() => remove.mutate(c)}>
                Remove<span className="sr-only"> {nameOf(c)}</span>
              </button>
            </td>
          </tr>
        ))}
      </DataTable>
      {remove.isError && <Notice kind="error">{remove.error.message}</Notice>}
      <form className="stack" onSubmit={(e) => void submit(e)} aria-label="Set a credential">
        {error && (
          <Notice kind="error" title="Not saved">
            {error}
          </Notice>
        )}
        <label>
          For
          <select name="holder" required defaultValue="">
            <option value="" disabled>
              a key or a team…
            </option>
            {keys.data?.data.map((k) => (
              <option key={k.id} value={k.id}>
                key {k.name}
              </option>
            ))}
            {teams.data?.data.map((t) => (
              <option key={t.id} value={t.id}>
                team {t.name}
              </option>
            ))}
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
