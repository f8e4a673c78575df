import type { FormEvent } from "react";
import { FormActions, SaveError, useSave } from "../components/form-save";
import { QuotaFields, readQuota } from "../components/quota-fields";
import type { Key, Team } from "../lib/types";

/** A datetime-local value from ISO (the reader's time), and back. */
function localOf(iso: string | null | undefined): string {
  if (!iso) return "";
  const d = new Date(iso);
  return new Date(d.getTime() - d.getTimezoneOffset() * 60_000).toISOString().slice(0, 16);
}

export type KeyBody = Record<string, unknown>;

/** Create or change a key: name, team, user label, allow-list, budget, limits, expiry (and, editing, on/off). */
export function KeyForm({
  existing,
  teams,
  teamRequired = false,
  onSubmit,
  onCancel,
}: {
  existing?: Key | undefined;
  teams: Team[];
  /** A team admin's form: their team is the only choice (a key of no team is not theirs to make). */
  teamRequired?: boolean;
  onSubmit: (body: KeyBody) => Promise<void>;
  onCancel: () => void;
}) {
  const { error, busy, save } = useSave();
  async function submit(e: FormEvent<HTMLFormElement>) {
    e.preventDefault();
    const form = new FormData(e.currentTarget);
    const text = (k: string) => String(form.get(k) ?? "").trim();
    const body: KeyBody = {
      name: text("name"),
      team_id: text("team_id") || null,
      user: text("user") || null,
      expires_at: text("expires_at") ? new Date(text("expires_at")).toISOString() : null,
      ...readQuota(form),
    };
    if (existing) body.disabled = form.get("disabled") === "on";
    await save(() => onSubmit(body));
  }
  return (
    <form className="stack" onSubmit={(e) => void submit(e)}>
      <SaveError error={error} />
      <label>
        Name
        <input name="name" required maxLength={200} defaultValue={existing?.name ?? ""} />
      </label>
      <label>
        Team
        <select name="team_id" defaultValue={existing?.team_id ?? (teamRequired ? (teams[0]?.id ?? "") : "")}>
          {!teamRequired && <option value="">no team</option>}
          {teams.map((t) => (
            <option key={t.id} value={t.id}>
              {t.name}
            </option>
          ))}
        </select>
      </label>
      <label>
        User
        <input name="user" maxLength={200} defaultValue={existing?.user ?? ""} placeholder="who holds the key" />
      </label>
      <QuotaFields models={existing?.models} budget={existing?.budget} limits={existing?.limits} />
      <label>
        Expires
        <input name="expires_at" type="datetime-local" defaultValue={localOf(existing?.expires_at)} />
      </label>
      {existing && (
        <label className="inline">
          <input name="disabled" type="checkbox" defaultChecked={existing.disabled} /> Disabled (refused until switched
          back on)
        </label>
      )}
      <FormActions busy={busy} submit={existing ? "Save" : "Create key"} onCancel={onCancel} />
    </form>
  );
}
