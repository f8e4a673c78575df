import { usd } from "../lib/format";
import type { Budget } from "../lib/types";

const PERIOD_WORDS = { day: "today", week: "this week", month: "this month", total: "in all" } as const;

/**
 * Spend against a budget, as a bar and in words (no budget: the spend alone). A native <meter>: green
 * below 80 %, amber to 100 %, red when spent.
 */
export function SpendBar({ spent, budget }: { spent: number | undefined; budget: Budget | null }) {
  const s = spent ?? 0;
  if (!budget) return <span className="muted">{usd(s)} · no budget</span>;
  const words = `${usd(s)} of ${usd(budget.usd)} ${PERIOD_WORDS[budget.period]}`;
  return (
    <div className="spendbar">
      <meter
        min={0}
        max={budget.usd || 1}
        value={Math.min(s, budget.usd || 1)}
        low={budget.usd * 0.8}
        high={budget.usd * 0.9999}
        optimum={0}
        aria-label={words}
      />
      <span className="bar-words">{words}</span>
      {budget.downgrade ? (
        <span className="bar-words muted">
          past {Math.round(budget.downgrade.at * 100)}%: served by {budget.downgrade.to}
        </span>
      ) : null}
    </div>
  );
}
