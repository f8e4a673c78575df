import type { LedgerRow } from "../billing/ledger-row.js";
import type { RequestLogRow } from "./row.js";

/**
 * What the journal holds for one settled request, in one line: its request-log row (unless `logging.requests`
 * is off, or the request is not logged), its ledger row (when it was made with a minted key), or both.
 */
export interface SettledEntry {
  log?: RequestLogRow;
  ledger?: LedgerRow;
  /**
   * Journalled at admission, not at settle: the rows the request is billed with should its process die before
   * it settles (outcome aborted, the reservation's estimate, marked estimated). Its settled entry replaces it.
   */
  admission?: true;
}

/**
 * A journal or spool line as this release or an earlier one wrote it: an entry; or, before the request log
 * and the ledger shared one writer, a bare ledger row (`ledger-….journal|spool`) or a bare request-log row
 * (`requests-….spool`).
 */
export type JournalLine = SettledEntry | LedgerRow | RequestLogRow;

export function entryOf(line: JournalLine): SettledEntry {
  if ("log" in line || "ledger" in line) return line as SettledEntry;
  // A request-log row has a method; a ledger row has none.
  return "method" in line ? { log: line as RequestLogRow } : { ledger: line as LedgerRow };
}

const idOf = (e: SettledEntry) => e.ledger?.id ?? e.log?.id;

/**
 * A dead process's journal as the entries to write: each request's settled entry, or, for a request admitted
 * and never settled, its last admission entry (billed as aborted, at its estimate: journalled again as its
 * answer streamed past it).
 */
export function resolveEntries(lines: JournalLine[]): SettledEntry[] {
  const entries = lines.map(entryOf);
  const settled = new Set(entries.flatMap((e) => (e.admission ? [] : [idOf(e)])));
  const last = new Map<unknown, SettledEntry>();
  for (const e of entries) if (e.admission) last.set(idOf(e), e);
  return entries.filter((e) => !e.admission || (!settled.has(idOf(e)) && last.get(idOf(e)) === e));
}
