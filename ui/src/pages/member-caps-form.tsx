import { useQuery } from "@tanstack/react-query";
import { SelectField } from "../components/fields";
import { SaveForm } from "../components/form-save";
import { ErrorNotice } from "../components/notice";
import { api } from "../lib/api";
import type { Team, TeamMemberCaps } from "../lib/types";

type CapsAnswer = TeamMemberCaps;
type Caps = NonNullable<CapsAnswer["caps"]>;

const list = (v: FormDataEntryValue | null) =>
  String(v ?? "")
    .split(",")
    .map((s) => s.trim())
    .filter(Boolean);

/** What a team's members may mint for themselves (/admin/v1/teams/{id}/member-caps): shown, set, removed. */
export function MemberCapsForm({ team, onDone }: { team: Team; onDone: () => void }) {
  const path = `/admin/v1/teams/${encodeURIComponent(team.id)}/member-caps`;
  const caps = useQuery({ queryKey: ["member-caps", team.id], queryFn: () => api<CapsAnswer>(path) });
  if (caps.isError) return <ErrorNotice error={caps.error} what="the member caps" />;
  if (!caps.data) return null;
  const c: Partial<Caps> = caps.data.caps ?? {};

  async function submit(form: FormData) {
    const num = (name: string) => {
      const v = String(form.get(name) ?? "").trim();
      return v === "" ? undefined : Number(v);
    };
    const body: Record<string, unknown> = {
      budget_usd: num("budget_usd"),
      total_budget_usd: num("total_budget_usd"),
      period: String(form.get("period") ?? "month"),
      models: list(form.get("models")),
      max_expiry_days: num("max_expiry_days"),
      max_keys: num("max_keys"),
      members: list(form.get("members")),
    };
    for (const [k, v] of Object.entries(body))
      if (v === undefined || (Array.isArray(v) && v.length === 0)) delete body[k];
    await api(path, { method: "POST", body });
    onDone();
  }

  return (
    <SaveForm label={`Member caps of ${team.name}`} submit="Save caps" onSubmit={submit} onCancel={onDone}>
      <p className="hint">
        Members of {team.name} mint, list and revoke keys of their own (My keys, or <code>llmux login</code>) within
        these caps; the team's budget still bounds every key. Empty: no cap of that kind.
        {caps.data.caps === null && " No caps are set: members mint no keys of their own."}
      </p>
      <label>
        Budget per key (USD)
        <input name="budget_usd" type="number" min={0} step="any" defaultValue={c.budget_usd ?? ""} />
      </label>
      <label>
        Total of a member's keys' budgets (USD)
        <input name="total_budget_usd" type="number" min={0} step="any" defaultValue={c.total_budget_usd ?? ""} />
      </label>
      <SelectField
        label="Period of those budgets"
        name="period"
        defaultValue={c.period ?? "month"}
        values={["day", "week", "month", "total"]}
      />
      <label>
        Models (globs within the team's, comma-separated)
        <input name="models" defaultValue={c.models?.join(", ") ?? ""} />
      </label>
      <label>
        Expiry within (days)
        <input name="max_expiry_days" type="number" min={1} step={1} defaultValue={c.max_expiry_days ?? ""} />
      </label>
      <label>
        Keys per member
        <input name="max_keys" type="number" min={0} step={1} defaultValue={c.max_keys ?? ""} />
      </label>
      <label>
        Members signed in with single sign-on (emails, @domain, group:NAME)
        <input name="members" defaultValue={c.members?.join(", ") ?? ""} />
      </label>
    </SaveForm>
  );
}
