import type { Budget, Limits } from "../lib/types";
import { SelectField } from "./fields";

/** Allow-list, budget and limits fields, shared by the key and team forms (uncontrolled: read with FormData). */
export function QuotaFields({
  models,
  budget,
  limits,
}: {
  models: string[] | null | undefined;
  budget: Budget | null | undefined;
  limits: Limits | null | undefined;
}) {
  return (
    <>
      <label>
        Models allowed
        <input
          name="models"
          defaultValue={models?.join(", ") ?? ""}
          placeholder="every model (or e.g. gpt-*, claude-sonnet)"
          aria-describedby="models-hint"
        />
        <span id="models-hint" className="hint">
          Aliases, comma-separated; <code>*</code> matches any characters. Empty: every model.
        </span>
      </label>
      <fieldset className="row">
        <legend>Budget</legend>
        <NumberField label="USD" name="budget_usd" min="0" step="0.01" value={budget?.usd} />
        <SelectField
          label="per"
          name="budget_period"
          defaultValue={budget?.period ?? "month"}
          values={["day", "week", "month", ["total", "in all"]]}
        />
        <NumberField
          label="Downgrade at %"
          name="downgrade_at"
          max="99"
          value={budget?.downgrade ? Math.round(budget.downgrade.at * 100) : undefined}
          placeholder="never"
          describedBy="downgrade-hint"
        />
        <label>
          to model
          <input name="downgrade_to" defaultValue={budget?.downgrade?.to ?? ""} placeholder="a cheaper alias" />
        </label>
        <span id="downgrade-hint" className="hint">
          A soft budget: past this share of the budget, requests are served by the cheaper alias; the budget itself
          still refuses.
        </span>
      </fieldset>
      <fieldset className="row">
        <legend>Limits</legend>
        <NumberField label="Requests/min" name="rpm" value={limits?.rpm} />
        <NumberField label="Tokens/min" name="tpm" value={limits?.tpm} />
        <NumberField label="At once" name="concurrency" value={limits?.concurrency} />
      </fieldset>
    </>
  );
}

/** A number field, empty when unset (whole numbers from 1 unless `min` and `step` say otherwise). */
function NumberField({
  label,
  name,
  value,
  min = "1",
  max,
  step = "1",
  placeholder = "none",
  describedBy,
}: {
  label: string;
  name: string;
  value: number | null | undefined;
  min?: string;
  max?: string;
  step?: string;
  placeholder?: string;
  describedBy?: string;
}) {
  return (
    <label>
      {label}
      <input
        name={name}
        type="number"
        min={min}
        max={max}
        step={step}
        defaultValue={value ?? ""}
        placeholder={placeholder}
        aria-describedby={describedBy}
      />
    </label>
  );
}

/** The quota fields of a submitted form, as the admin API takes them (empty: null, which clears). */
export function readQuota(form: FormData): { models: string[] | null; budget: Budget | null; limits: Limits | null } {
  const text = (k: string) => String(form.get(k) ?? "").trim();
  const models = text("models")
    .split(/[,\s]+/)
    .map((s) => s.trim())
    .filter(Boolean);
  const usd = text("budget_usd");
  const limits: Limits = {};
  for (const k of ["rpm", "tpm", "concurrency"] as const) if (text(k)) limits[k] = Number(text(k));
  return {
    models: models.length ? models : null,
    budget: usd
      ? {
          usd: Number(usd),
          period: text("budget_period") as Budget["period"],
          ...(text("downgrade_at") && text("downgrade_to")
            ? { downgrade: { at: Number(text("downgrade_at")) / 100, to: text("downgrade_to") } }
            : {}),
        }
      : null,
    limits: Object.keys(limits).length ? limits : null,
  };
}
