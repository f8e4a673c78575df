import type { KeyList, TeamList } from "../lib/types";

/**
 * A filter form's choice of one owner by id (`name`): any, or one of `options`. An id the address names that
 * the list does not hold (revoked, another page) stays selectable by its id.
 */
function IdFilter({
  label,
  name,
  options,
  value,
}: {
  label: string;
  name: string;
  options: readonly { id: string; text: string }[];
  value: string | undefined;
}) {
  return (
    <label>
      {label}
      <select name={name} defaultValue={value}>
        <option value="">any</option>
        {options.map((o) => (
          <option key={o.id} value={o.id}>
            {o.text}
          </option>
        ))}
        {value && !options.some((o) => o.id === value) && <option value={value}>{value}</option>}
      </select>
    </label>
  );
}

/** A filter form's key choice (`key_id`), by name and prefix. */
export function KeyFilter({ keys, value }: { keys: KeyList["data"] | undefined; value: string | undefined }) {
  const options = (keys ?? []).map((k) => ({ id: k.id, text: `${k.name} (${k.prefix})` }));
  return <IdFilter label="Key" name="key_id" options={options} value={value} />;
}

/** A filter form's team choice (`team_id`), by name. */
export function TeamFilter({ teams, value }: { teams: TeamList["data"] | undefined; value: string | undefined }) {
  const options = (teams ?? []).map((t) => ({ id: t.id, text: t.name }));
  return <IdFilter label="Team" name="team_id" options={options} value={value} />;
}
