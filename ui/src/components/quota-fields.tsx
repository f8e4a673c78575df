import type { Budget, Limits } from "../lib/types";

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
        <label>
          USD
          <input
            name="budget_usd"
            type="number"
            min="0"
            step="0.01"
            defaultValue={budget?.usd ?? ""}
            placeholder="none"
          />
        </label>
        <label>
          per
          <select name="budget_period" defaultValue={budget?.period ?? "month"}>
            <option value="day">day</option>
            <option value="week">week</option>
            <option value="month">month</option>
            <option value="total">in all</option>
          </select>
        </label>
        <label>
          Downgrade at %
          <input
            name="downgrade_at"
            type="number"
            min="1"
            max="99"
            step="1"
            defaultValue={budget?.downgrade ? Math.round(budget.downgrade.at * 100) : ""}
            placeholder="never"
            aria-describedby="downgrade-hint"
          />
        </label>
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
        <label>
          Requests/min
          <input name="rpm" type="number" min="1" step="1" defaultValue={limits?.rpm ?? ""} placeholder="none" />
        </label>
        <label>
          Tokens/min
          <input name="tpm" type="number" min="1" step="1" defaultValue={limits?.tpm ?? ""} placeholder="none" />
        </label>
        <label>
          At once
          <input
            name="concurrency"
            type="number"
            min="1"
            step="1"
            defaultValue={limits?.concurrency ?? ""}
            placeholder="none"
          />
        </label>
      </fieldset>
    </>
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
