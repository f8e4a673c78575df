import type { KeyList, TeamList } from "../lib/types";

/**
 * A filter form's key choice (`key_id`): any, or one of the keys by name and prefix. A key the address names
 * that the list does not hold (revoked, another page) stays selectable by its id.
 */
export function KeyFilter({ keys, value }: { keys: KeyList["data"] | undefined; value: string | undefined }) {
  const list = keys ?? [];
  return (
    <label>
      Key
      <select name="key_id" defaultValue={value}>
        <option value="">any</option>
        {list.map((k) => (
          <option key={k.id} value={k.id}>
            {k.name} ({k.prefix})
          </option>
        ))}
        {value && !list.some((k) => k.id === value) && <option value={value}>{value}</option>}
      </select>
    </label>
  );
}

/** A filter form's team choice (`team_id`), the same way. */
export function TeamFilter({ teams, value }: { teams: TeamList["data"] | undefined; value: string | undefined }) {
  const list = teams ?? [];
  return (
    <label>
      Team
      <select name="team_id" defaultValue={value}>
        <option value="">any</option>
        {list.map((t) => (
          <option key={t.id} value={t.id}>
            {t.name}
          </option>
        ))}
        {value && !list.some((t) => t.id === value) && <option value={value}>{value}</option>}
      </select>
    </label>
  );
}
