import type { SelectHTMLAttributes } from "react";

/** A value a select offers: shown as itself, or `[value, words]`. */
export type Choice = string | readonly [value: string, words: string];

/** A select's options, in order. */
export function Options({ values }: { values: readonly Choice[] }) {
  return (
    <>
      {values.map((c) => {
        const [value, words] = typeof c === "string" ? [c, c] : c;
        return (
          <option key={value} value={value}>
            {words}
          </option>
        );
      })}
    </>
  );
}

/**
 * A labelled select of `values`, first (when `none` gives its words) a choice of none, value "". The other
 * attributes are the select's (`name` and `defaultValue` in a form read on submit; `value` and `onChange`).
 */
export function SelectField({
  label,
  none,
  values,
  ...select
}: { label: string; none?: string; values: readonly Choice[] } & SelectHTMLAttributes<HTMLSelectElement>) {
  return (
    <label>
      {label}
      <select {...select}>
        {none !== undefined && <option value="">{none}</option>}
        <Options values={values} />
      </select>
    </label>
  );
}

/**
 * A filter form of one select that applies as soon as it changes (`onPick`: the value chosen, "" for none), named
 * for screen readers by `form`.
 */
export function PickFilter({
  form,
  onPick,
  ...field
}: { form: string; onPick: (value: string) => void } & Parameters<typeof SelectField>[0]) {
  return (
    <form className="filters" aria-label={form} onSubmit={(e) => e.preventDefault()}>
      <SelectField {...field} onChange={(e) => onPick(e.target.value)} />
    </form>
  );
}

/** A text field's suggestions (the field names them with `list={id}`); any other text is taken too. */
export function Suggestions({ id, values }: { id: string; values: readonly string[] }) {
  return (
    <datalist id={id}>
      {values.map((v) => (
        <option key={v} value={v} />
      ))}
    </datalist>
  );
}

/** A filter form's Apply (submit) and Clear buttons. */
export function FilterActions({ onClear }: { onClear: () => void }) {
  return (
    <div className="filter-actions">
      <button type="submit" className="primary">
        Apply
      </button>
      <button type="button" onClick={onClear}>
        Clear
      </button>
    </div>
  );
}
