/**
 * False positives: the default rules (entropy on, personal data on too, to count it) over text that holds no
 * secret — the project's own src/, its package-lock.json, a minified bundle from node_modules (Recharts' UMD
 * build) and a base64 image (docs/logs-terminal.png). The count per rule is printed for docs/guardrails.md; the
 * secret shapes must find nothing, and the entropy check and personal-data detectors no more than measured.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { Detector, type Hit } from "../../src/guardrails/detect.js";
import { files } from "../support/fixture-files.js";

const ROOT = new URL("../../", import.meta.url).pathname;

const CORPUS: { name: string; texts: () => string[] }[] = [
  { name: "src/", texts: () => files(join(ROOT, "src")).map((f) => readFileSync(f, "utf8")) },
  { name: "package-lock.json", texts: () => [readFileSync(join(ROOT, "package-lock.json"), "utf8")] },
  {
    name: "minified bundle (recharts/umd/Recharts.js)",
    texts: () => [readFileSync(join(ROOT, "node_modules/recharts/umd/Recharts.js"), "utf8")],
  },
  {
    name: "base64 image (docs/logs-terminal.png)",
    texts: () => [
      `const image = "data:image/png;base64,${readFileSync(join(ROOT, "docs/logs-terminal.png")).toString("base64")}";`,
    ],
  },
];

function count(hits: Hit[], into: Map<string, number>): void {
  for (const h of hits) into.set(h.rule, (into.get(h.rule) ?? 0) + 1);
}

describe("false positives of the default rules", () => {
  const detector = new Detector({ pii: true });
  const report = new Map<string, Map<string, number>>();

  it.each(CORPUS)("$name", ({ name, texts }) => {
    const byRule = new Map<string, number>();
    for (const t of texts()) count(detector.scan(t), byRule);
    report.set(name, byRule);
    console.log(`false positives in ${name}: ${JSON.stringify(Object.fromEntries(byRule))}`);
    const shapes = [...byRule].filter(
      ([rule]) => !["generic-api-key", "email", "phone", "payment-card", "iban"].includes(rule),
    );
    expect(shapes).toEqual([]);
    // The entropy check is on by default: it too finds nothing here.
    expect(byRule.get("generic-api-key") ?? 0).toBe(0);
  });
});
