import type { Rule } from "./rules.js";

/** Whether a card number's digits pass the Luhn check. */
export function luhn(number: string): boolean {
  const digits = number.replace(/\D/g, "");
  if (digits.length < 13 || digits.length > 19) return false;
  let sum = 0;
  for (let i = 0; i < digits.length; i++) {
    let d = digits.charCodeAt(digits.length - 1 - i) - 48;
    if (i % 2 === 1) {
      d *= 2;
      if (d > 9) d -= 9;
    }
    sum += d;
  }
  return sum % 10 === 0;
}

/** Whether an IBAN's check digits are right (ISO 13616: the number mod 97 is 1). */
export function ibanValid(iban: string): boolean {
  const s = iban.replace(/\s/g, "").toUpperCase();
  if (s.length < 15 || s.length > 34) return false;
  const moved = s.slice(4) + s.slice(0, 4);
  let rest = 0;
  for (const c of moved) {
    const code = c.charCodeAt(0);
    const value = code >= 65 ? String(code - 55) : c;
    for (const d of value) rest = (rest * 10 + (d.charCodeAt(0) - 48)) % 97;
  }
  return rest === 1;
}

/** The optional personal-data detectors (group `pii`: `guardrails.pii: true`). */
export const PII_RULES: readonly Rule[] = [
  {
    id: "email",
    group: "pii",
    pattern: /\b([A-Za-z0-9._%+-]{1,64}@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,})\b/dg,
    keywords: ["@"],
  },
  { id: "payment-card", group: "pii", pattern: /(?<![\d-])((?:\d[ -]?){12,18}\d)(?![\d-])/dg, check: luhn },
  { id: "iban", group: "pii", pattern: /\b([A-Z]{2}\d{2}(?: ?[A-Z0-9]){11,30})\b/dg, check: ibanValid },
  {
    id: "phone",
    group: "pii",
    pattern: /(?<![\w+])(\+\d{1,3}[ .-]?(?:\(\d{1,4}\)[ .-]?)?\d{2,4}(?:[ .-]?\d{2,4}){1,4})(?!\w)/dg,
    keywords: ["+"],
    check: (s) => {
      const n = s.replace(/\D/g, "").length;
      return n >= 8 && n <= 15;
    },
  },
];
