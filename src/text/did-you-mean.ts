/**
 * "Did you mean …?" for a misspelt name: the closest known name by edit distance (insertions, deletions,
 * substitutions and swaps of two neighbours), if it is close enough to be a likely typo.
 */

/** Optimal string alignment distance between two strings, case-insensitively. */
export function editDistance(a: string, b: string): number {
  const s = a.toLowerCase();
  const t = b.toLowerCase();
  const rows = s.length + 1;
  const cols = t.length + 1;
  const d: number[][] = Array.from({ length: rows }, (_, i) =>
    Array.from({ length: cols }, (_, j) => (i === 0 ? j : j === 0 ? i : 0)),
  );
  for (let i = 1; i < rows; i++) {
    for (let j = 1; j < cols; j++) {
      const cost = s[i - 1] === t[j - 1] ? 0 : 1;
      let v = Math.min(d[i - 1]![j]! + 1, d[i]![j - 1]! + 1, d[i - 1]![j - 1]! + cost);
      if (i > 1 && j > 1 && s[i - 1] === t[j - 2] && s[i - 2] === t[j - 1]) v = Math.min(v, d[i - 2]![j - 2]! + 1);
      d[i]![j] = v;
    }
  }
  return d[rows - 1]![cols - 1]!;
}

/** Canonical form for comparing spellings: `api-key`, `apiKey` and `api_key` are one name. */
function squash(s: string): string {
  return s.toLowerCase().replace(/[-_\s]/g, "");
}

/**
 * The known name closest to `name`, or undefined when none is close: within a third of the longer name's
 * length (at least 1, at most 3 edits), or equal once case, `-` and `_` are ignored (`prot` → `port` is a
 * swap; `sumary` → `summary` an insertion; `apikey` → `api_key` the same word).
 */
export function didYouMean(name: string, known: Iterable<string>): string | undefined {
  let best: string | undefined;
  let bestScore = Number.POSITIVE_INFINITY;
  for (const k of known) {
    if (k === name) continue;
    const score = squash(k) === squash(name) ? 0 : editDistance(name, k);
    const limit = Math.min(3, Math.max(1, Math.floor(Math.max(name.length, k.length) / 3)));
    if (score <= limit && score < bestScore) {
      best = k;
      bestScore = score;
    }
  }
  return best;
}

/** ` (did you mean 'x'?)`, or nothing. */
export function suggestion(name: string, known: Iterable<string>, quote = "'"): string {
  const m = didYouMean(name, known);
  return m === undefined ? "" : ` (did you mean ${quote}${m}${quote}?)`;
}
