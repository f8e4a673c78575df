import { describe, expect, it } from "vitest";
import { Detector, knownHits, settle } from "../../src/guardrails/detect.js";
import { ibanValid, luhn } from "../../src/guardrails/pii.js";
import { chars, planted } from "./planted.js";

describe("guardrails detection", () => {
  const detector = new Detector();

  it.each(planted().map((p) => [p.kind, p] as const))("finds a planted %s, the secret alone", (_kind, p) => {
    const hits = detector.scan(p.text);
    const found = hits.map((h) => ({ rule: h.rule, value: p.text.slice(h.start, h.end) }));
    expect(found.map((f) => f.rule)).toContain(p.rule);
    // The secret is inside what the rule took, and the rule took no more than a line's worth around it.
    const mine = found.find((f) => f.rule === p.rule)!;
    expect(mine.value).toContain(p.secret);
  });

  it("finds the GCP service account's key id too", () => {
    const sa = planted().find((p) => p.kind === "GCP service-account JSON")!;
    expect(detector.scan(sa.text).map((h) => h.rule)).toEqual(["gcp-service-account-key-id", "private-key"]);
  });

  it("keeps a database URL's user and host, takes its password", () => {
    const p = planted().find((x) => x.rule === "database-url-password")!;
    const [hit] = detector.scan(p.text);
    expect(p.text.slice(hit!.start, hit!.end)).toBe(p.secret);
  });

  it("takes an assigned high-entropy value with a secret's name, not a low-entropy one", () => {
    const value = chars("entropy", 32);
    expect(detector.scan(`const session_secret = "${value}";`).map((h) => h.rule)).toEqual(["generic-api-key"]);
    expect(detector.scan('password: "aaaaaaaaaaaaaaaaaaaa1"')).toEqual([]);
    expect(detector.scan('const apiKey = "YOUR_API_KEY_HERE_1234"')).toEqual([]);
  });

  it("gives a secret the rule that knows its shape, not the entropy check that also saw it", () => {
    const gh = planted().find((p) => p.rule === "github-pat")!;
    const text = `here is my token: ${gh.text}. and api_key = ${chars("other", 32)}`;
    const hits = detector.scan(text);
    expect(hits.map((h) => h.rule)).toEqual(["github-pat", "generic-api-key"]);
    expect(text.slice(hits[0]!.start, hits[0]!.end)).toBe(gh.secret);
  });

  it("looks for every rule's keywords in one pass, as each rule would itself (a keyword inside another too)", () => {
    const all = new Detector({ pii: true });
    /** The same rules, each run on the whole text without the keyword pre-filter. */
    const unfiltered = (text: string) =>
      settle(
        all.rules.flatMap((r) =>
          [...text.matchAll(new RegExp(r.pattern.source, r.pattern.flags))].flatMap((m) => {
            const [start, end] = m.indices?.[1] ?? m.indices![0]!;
            return m[0].length > 0 && (!r.check || r.check(text.slice(start, end)))
              ? [{ rule: r.id, group: r.group, start, end }]
              : [];
          }),
        ),
      );
    const texts = [
      ...planted("kw").map((p) => p.text),
      planted("kw")
        .map((p) => p.text)
        .join(" and "),
      `-----BEGIN PRIVATE KEY-----: ${chars("inner", 24)}1`,
      `private_key_id = "${chars("pk", 40, "0123456789abcdef")}" token=${chars("tk", 30)}9`,
      "nothing at all here, just words about keys and passes",
    ];
    for (const t of texts) expect(all.scan(t)).toEqual(unfiltered(t));
  });

  it("finds personal data only when asked, with the Luhn and IBAN checks", () => {
    const text =
      "mail jane.doe@example.org, card 4111 1111 1111 1111, not 4111 1111 1111 1112, IBAN GB82 WEST 1234 5698 7654 32, call +44 20 7946 0958";
    expect(detector.scan(text)).toEqual([]);
    const pii = new Detector({ pii: true });
    expect(pii.scan(text).map((h) => `${h.rule}:${text.slice(h.start, h.end)}`)).toEqual([
      "email:jane.doe@example.org",
      "payment-card:4111 1111 1111 1111",
      "iban:GB82 WEST 1234 5698 7654 32",
      "phone:+44 20 7946 0958",
    ]);
    expect(luhn("4111111111111112")).toBe(false);
    expect(ibanValid("GB82WEST12345698765433")).toBe(false);
  });

  it("runs the team's own expressions, group 1 as the secret", () => {
    const d = new Detector({ rules: [{ id: "acme-token", pattern: "acme_tok=([a-z0-9]{12})" }] });
    const text = "x acme_tok=abcdef123456 y";
    const [hit] = d.scan(text);
    expect(hit).toMatchObject({ rule: "acme-token", group: "custom" });
    expect(text.slice(hit!.start, hit!.end)).toBe("abcdef123456");
  });

  it("finds llmux's own secrets by value", () => {
    const key = chars("own", 24);
    expect(knownHits(`a ${key} b ${key}`, [key])).toHaveLength(2);
    expect(knownHits("short abc", ["abc"])).toEqual([]);
  });
});
