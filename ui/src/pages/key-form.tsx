import { SelectField } from "../components/fields";
import { type EntryFormProps, SaveForm } from "../components/form-save";
import { QuotaFields, readQuota } from "../components/quota-fields";
import { isoOfLocal, localOfIso } from "../lib/filters";
import type { Key, Team } from "../lib/types";

/** Create or change a key: name, team, user label, allow-list, budget, limits, expiry (and, editing, on/off). */
export function KeyForm({
  existing,
  teams,
  teamRequired = false,
  onSubmit,
  onCancel,
}: EntryFormProps<Key> & {
  teams: Team[];
  /** A team admin's form: their team is the only choice (a key of no team is not theirs to make). */
  teamRequired?: boolean;
}) {
  async function submit(form: FormData) {
    const text = (k: string) => String(form.get(k) ?? "").trim();
    const body: Record<string, unknown> = {
      name: text("name"),
      team_id: text("team_id") || null,
      user: text("user") || null,
      expires_at: isoOfLocal(text("expires_at")) || null,
      ...readQuota(form),
    };
    if (existing) body.disabled = form.get("disabled") === "on";
    await onSubmit(body);
  }
  return (
    <SaveForm submit={existing ? "Save" : "Create key"} onSubmit={submit} onCancel={onCancel}>
      <label>
        Name
        <input name="name" required maxLength={200} defaultValue={existing?.name ?? ""} />
      </label>
      <SelectField
        label="Team"
        name="team_id"
        defaultValue={existing?.team_id ?? (teamRequired ? (teams[0]?.id ?? "") : "")}
        none={teamRequired ? undefined : "no team"}
        values={teams.map((t) => [t.id, t.name] as const)}
      />
      <label>
        User
        <input name="user" maxLength={200} defaultValue={existing?.user ?? ""} placeholder="who holds the key" />
      </label>
      <QuotaFields models={existing?.models} budget={existing?.budget} limits={existing?.limits} />
      <label>
        Expires
        <input name="expires_at" type="datetime-local" defaultValue={localOfIso(existing?.expires_at)} />
      </label>
      {existing && (
        <label className="inline">
          <input name="disabled" type="checkbox" defaultChecked={existing.disabled} /> Disabled (refused until switched
          back on)
        </label>
      )}
    </SaveForm>
  );
}
