import { RANGES, type Range } from "../lib/stats";

/** Last hour / day / 30 days, as a group of toggle buttons (arrow keys are not needed: each is a tab stop). */
export function RangePicker({ value, onChange }: { value: Range; onChange: (r: Range) => void }) {
  return (
    <fieldset className="segmented">
      <legend className="sr-only">Period</legend>
      {(Object.keys(RANGES) as Range[]).map((r) => (
        <button key={r} type="button" aria-pressed={value === r} onClick={() => onChange(r)}>
          {RANGES[r].label}
        </button>
      ))}
    </fieldset>
  );
}
