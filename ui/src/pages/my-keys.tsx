import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { type FormEvent, useState } from "react";
import { SecretOnce } from "../components/copy-button";
import { DataTable } from "../components/data-table";
import { FormActions, SaveError, useSave } from "../components/form-save";
import { ErrorNotice, Notice } from "../components/notice";
import { PageHead } from "../components/page";
import { RowAction } from "../components/row-action";
import { SpendBar } from "../components/spend-bar";
import { api } from "../lib/api";
import { when } from "../lib/format";
import type { Page } from "../lib/pages";
import { useScope } from "../lib/session";
import type { KeyList, MintedKey } from "../lib/types";

/**
 * A member's own keys (/admin/v1/me/keys): minted within the caps their team admin set (llmux teams caps, the
 * Teams page), listed and revoked by the member signed in with single sign-on. Above a cap, the refusal names it.
 */
export function MyKeys() {
  const scope = useScope();
  const member = scope.session.via === "oidc";
  const client = useQueryClient();
  const [secret, setSecret] = useState<string | undefined>();
  const keys = useQuery({
    queryKey: ["my-keys"],
    queryFn: () => api<KeyList>("/admin/v1/me/keys"),
    enabled: member,
  });
  const refresh = () => void client.invalidateQueries({ queryKey: ["my-keys"] });
  const revoke = useMutation({
    mutationFn: (id: string) => api(`/admin/v1/me/keys/${encodeURIComponent(id)}`, { method: "DELETE" }),
    onSuccess: refresh,
  });
  const { error, busy, save } = useSave();

  async function submit(e: FormEvent<HTMLFormElement>) {
    e.preventDefault();
    const el = e.currentTarget;
    const form = new FormData(el);
    const budget = String(form.get("budget_usd") ?? "").trim();
    const models = String(form.get("models") ?? "")
      .split(",")
      .map((m) => m.trim())
      .filter(Boolean);
    const expires = String(form.get("expires") ?? "").trim();
    const body = {
      name: String(form.get("name") ?? "").trim(),
      ...(budget ? { budget_usd: Number(budget) } : {}),
      ...(models.length > 0 ? { models } : {}),
      ...(expires ? { expires_at: new Date(`${expires}T00:00:00Z`).toISOString() } : {}),
    };
    await save(async () => {
      const minted = await api<MintedKey>("/admin/v1/me/keys", { method: "POST", body });
      el.reset();
      setSecret(minted.key);
      refresh();
    });
  }

  if (!member)
    return (
      <>
        <PageHead title="My keys" />
        <Notice kind="info">
          Keys of your own are minted by a person signed in with single sign-on (or, from a terminal, with{" "}
          <code>llmux login URL</code>), within the caps their team admin sets.
        </Notice>
      </>
    );
  return (
    <>
      <PageHead title="My keys" />
      {keys.isError && <ErrorNotice error={keys.error} what="your keys" />}
      {secret && (
        <div className="stack">
          <SecretOnce value={secret} />
          <p className="hint">
            On your laptop, once: <code>llmux login {window.location.origin} --key …</code> (every launcher then uses
            it).
          </p>
        </div>
      )}
      <DataTable
        label="My keys"
        columns={["Name", "Spend", "Expires", "Actions"]}
        empty={keys.data?.data.length === 0 && "No keys of your own yet."}
      >
        {keys.data?.data.map((k) => (
          <tr key={k.id} data-key={k.id}>
            <td>
              {k.name} <span className="hint">{k.prefix}…</span>
            </td>
            <td>
              <SpendBar spent={k.spend_usd} budget={k.budget} />
            </td>
            <td>{k.expires_at ? when(k.expires_at) : "never"}</td>
            <td>
              <RowAction what={k.name} danger disabled={revoke.isPending} onClick={() => revoke.mutate(k.id)}>
                Revoke
              </RowAction>
            </td>
          </tr>
        ))}
      </DataTable>
      {revoke.isError && <Notice kind="error">{revoke.error.message}</Notice>}
      <form className="stack" onSubmit={(e) => void submit(e)} aria-label="Mint a key of your own">
        <SaveError error={error} />
        <label>
          Name
          <input name="name" required maxLength={200} placeholder="laptop" />
        </label>
        <label>
          Budget (USD per period; empty: your cap)
          <input name="budget_usd" type="number" min={0} step="any" />
        </label>
        <label>
          Models (comma-separated; empty: your cap's)
          <input name="models" />
        </label>
        <label>
          Expires on (empty: as late as your cap allows)
          <input name="expires" type="date" />
        </label>
        <FormActions busy={busy} submit="Mint key" onCancel={() => setSecret(undefined)} />
      </form>
    </>
  );
}

export const page: Page = {
  path: "/my-keys",
  order: 45,
  title: "My keys",
  roles: "admins",
  // Listed only where it can work: keys of one's own are minted by a person signed in, not with an admin key
  // (a team admin's included); opened by its address, the page says so.
  listed: "members",
  component: MyKeys,
};
