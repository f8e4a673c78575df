/** The doctor's report as text: the note before the run, the table, the problems with fixes, the reasoning found. */
import { usd } from "../billing/cost.js";
import { byStrength } from "./reasoning.js";
import { CHECKS, type CheckResult, type Estimate, type Mark, type Report, type Usage } from "./types.js";

const SYMBOL: Record<Mark, string> = { ok: "✓", fail: "✗", warn: "!", na: "–" };
const COLOUR: Record<Mark, string> = { ok: "32", fail: "31", warn: "33", na: "2" };

export interface Style {
  colour: boolean;
}

function mark(m: Mark, style: Style): string {
  return style.colour ? `\x1b[${COLOUR[m]}m${SYMBOL[m]}\x1b[0m` : SYMBOL[m];
}

const KIND_WORDS = { embedding: "embeddings", completion: "autocomplete (FIM)", rerank: "rerank" } as const;

const int = (n: number) => n.toLocaleString("en-US");

function dollars(nanos: number): string {
  if (nanos === 0) return "$0";
  const v = usd(nanos);
  return v < 0.001 ? "less than $0.001" : `$${v.toFixed(v < 0.1 ? 4 : 2)}`;
}

/** What the run will spend at most, said before it starts. */
export function estimateNote(e: Estimate, deployments: number, quick: boolean): string {
  const priced = e.unpriced.length > 0 ? ` (no price known for ${e.unpriced.join(", ")})` : "";
  const lines = [
    `llmux doctor will send at most ${int(e.requests)} small requests to ${deployments} deployment${deployments === 1 ? "" : "s"}: ` +
      `at most ${int(e.input)} input and ${int(e.output)} output tokens, at most ${dollars(e.nanos)} at list prices${priced}.`,
  ];
  if (!quick) lines.push("(--quick sends one request per deployment: key and model only.)");
  return lines.join("\n");
}

function spentNote(u: Usage): string {
  return `Sent ${int(u.requests)} requests: ${int(u.input)} input and ${int(u.output)} output tokens, about ${dollars(u.nanos)} at list prices.`;
}

function table(rows: string[][], visible: (s: string) => number): string[] {
  const widths = rows[0]!.map((_, i) => Math.max(...rows.map((r) => visible(r[i]!))));
  return rows.map((r) =>
    r
      .map((c, i) => c + " ".repeat(widths[i]! - visible(c)))
      .join("  ")
      .trimEnd(),
  );
}

// biome-ignore lint/suspicious/noControlCharactersInRegex: colour codes are what is removed
const visibleLength = (s: string) => [...s.replace(/\x1b\[[0-9;]*m/g, "")].length;

function problemLines(where: string, name: string, c: CheckResult): string[] {
  const out = [`${SYMBOL[c.mark]} ${where} — ${name}: ${c.summary}`];
  if (c.upstream) out.push(`    upstream: ${c.upstream}`);
  if (c.fix) out.push(`    fix: ${c.fix}`);
  return out;
}

/** The whole report. */
export function renderReport(r: Report, style: Style): string {
  const byId = new Map(r.deployments.map((d) => [d.id, d]));
  const head = ["alias", "provider", "upstream model", ...CHECKS, "settings"];
  const rows: string[][] = [head];
  for (const a of r.aliases) {
    a.deployments.forEach((id, i) => {
      const d = byId.get(id)!;
      rows.push([
        i === 0 ? a.alias : "",
        d.provider,
        d.model,
        ...CHECKS.map((c) => mark(d.checks[c].mark, style)),
        i === 0 ? mark(a.settings.mark, style) : "",
      ]);
    });
  }
  const out = table(rows, visibleLength);

  const problems: string[] = [];
  for (const d of r.deployments) {
    const aliases = r.aliases.filter((a) => a.deployments.includes(d.id)).map((a) => a.alias);
    const where = `${d.id} (${aliases.join(", ")})`;
    for (const c of CHECKS) {
      const check = d.checks[c];
      if (check.mark === "fail" || check.mark === "warn") problems.push(...problemLines(where, c, check));
    }
  }
  for (const a of r.aliases) {
    if (a.settings.mark === "fail" || a.settings.mark === "warn")
      problems.push(...problemLines(a.alias, "settings", a.settings));
  }
  for (const k of r.kinds) {
    if (k.result.mark === "fail" || k.result.mark === "warn")
      problems.push(...problemLines(`${k.alias} (${k.kind}, ${k.deployment})`, "probe", k.result));
  }
  if (r.kinds.length > 0)
    out.push(
      "",
      "Embeddings, autocomplete and rerank (one small call each, to the first deployment):",
      ...table(
        r.kinds.map((k) => [
          `  ${mark(k.result.mark, style)} ${k.alias}`,
          KIND_WORDS[k.kind],
          k.deployment,
          k.result.summary,
        ]),
        visibleLength,
      ),
    );
  if (problems.length > 0) out.push("", "Problems:", ...problems);

  const reasoning: string[] = [];
  for (const d of r.deployments) {
    const f = d.reasoning;
    if (!f) continue;
    const settings = [...new Set(f.sweeps.map((s) => s.setting))];
    const parts = settings.map((setting) => {
      const pick = (accepted: boolean) =>
        f.sweeps
          .filter((s) => s.setting === setting && (s.result === "accepted") === accepted)
          .map((s) => s.value)
          .sort(byStrength);
      const ok = pick(true);
      const no = pick(false);
      const label =
        setting === "effort"
          ? "efforts"
          : setting === "thinking"
            ? "thinking"
            : setting === "summary"
              ? "summaries"
              : setting;
      const tableKey =
        setting === "effort"
          ? "efforts"
          : setting === "thinking"
            ? "thinking"
            : setting === "verbosity"
              ? "verbosity"
              : undefined;
      const t = tableKey ? f.table[tableKey] : undefined;
      const tableText = tableKey ? ` (llmux's table: ${t ? t.join(", ") : "no row"})` : "";
      return `${label} ${ok.length ? ok.join(", ") : "none"}${no.length ? `; refused ${no.join(", ")}` : ""}${tableText}`;
    });
    reasoning.push(`  ${d.id}: ${parts.join(" · ")}`);
    for (const diff of f.differences) reasoning.push(`    differs: ${diff}`);
  }
  if (reasoning.length > 0)
    out.push("", "Reasoning accepted (efforts, verbosity, summaries, thinking forms):", ...reasoning);

  const notes: string[] = [];
  for (const s of r.skipped) notes.push(`  ${s.alias}: ${s.why}`);
  for (const p of r.unused)
    notes.push(`  provider ${p}: no alias uses it (probe one of its models with --model ${p}/MODEL)`);
  const naWords = new Set<string>();
  for (const d of r.deployments) {
    for (const c of CHECKS) {
      const check = d.checks[c];
      if (check.mark === "na" && check.upstream && !naWords.has(`${d.id}${c}`)) {
        naWords.add(`${d.id}${c}`);
        notes.push(`  ${d.id} — ${c}: ${check.summary} (upstream: ${check.upstream})`);
      }
    }
  }
  if (notes.length > 0) out.push("", "Not probed or not supported:", ...notes);

  out.push("", spentNote(r.used));
  const failures =
    r.deployments.reduce((n, d) => n + CHECKS.filter((c) => d.checks[c].mark === "fail").length, 0) +
    r.aliases.filter((a) => a.settings.mark === "fail").length +
    r.kinds.filter((k) => k.result.mark === "fail").length;
  out.push(r.ok ? "Everything probed works." : `${failures} check${failures === 1 ? "" : "s"} failed.`);
  out.push("✓ works   ✗ fails   ! works, with a caveat   – not supported, not applicable or not probed");
  return out.join("\n");
}
