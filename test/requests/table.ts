/**
 * Fixture tables for the request codecs, in the style of the Vercel AI SDK provider tests: a recorded client
 * request goes in, the upstream request body comes out as a file snapshot.
 *
 * A case names a client body (a JSON file under fixtures/from-<client>/, optionally with some top-level fields
 * replaced), the encoder options, and for each upstream dialect what must hold besides the body: the exact
 * warnings, the tool mapping, and any invariant of its own. The body itself is compared with
 * __snapshots__/<table>/<case>.<upstream>.json, after the ids llmux generates are normalised.
 *
 * Snapshots are only written with `npx vitest run test/requests -u`; a missing one fails (see snapshotFile).
 */
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import type { ToolIdentity } from "../../src/dialects/types.js";
import type { Dialect, Json, JsonObject } from "../../src/ir/types.js";
import type { RequestOptions } from "../../src/translate/codecs.js";
import { type Translated, translate, warningKeys } from "./helpers.js";

export type Upstream = "anthropic" | "openai-chat" | "openai-responses";

export interface Outcome {
  /** Every warning, in order, as `code` or `code@param` (see warningKeys). */
  warnings: string[];
  /** The tool mapping the encoder returns; none when left out. */
  tools?: [string, ToolIdentity][];
  /** The upstream body equals the client body (a same-dialect pass-through). */
  same?: true;
  /** What this case checks beyond the snapshot: a pattern, a bound, a value that must not leak. */
  check?: (out: Translated, input: JsonObject) => void;
}

export interface Case {
  /** Names the test and the snapshot files: `<name>.<upstream>.json`. */
  name: string;
  /** A fixture under fixtures/from-<client>/ (without .json). */
  input: string;
  /** Top-level fields laid over the fixture (a shallow merge, as `{ ...fixture, ...with }`). */
  with?: JsonObject;
  opts?: RequestOptions;
  /** Per upstream: the outcome, or just its warnings. */
  to: Partial<Record<Upstream, Outcome | string[]>>;
}

const ROOT = import.meta.dirname;

/** Where the client bodies of each dialect live, under fixtures/. */
const FIXTURES: Record<Dialect, string> = {
  anthropic: "from-anthropic",
  "openai-chat": "from-chat",
  "openai-responses": "from-responses",
  gemini: "from-gemini",
};

/** A client body: fixtures/from-<client>/<name>.json. */
export function fixture(from: Dialect, name: string): JsonObject {
  return JSON.parse(readFileSync(join(ROOT, "fixtures", FIXTURES[from], `${name}.json`), "utf8")) as JsonObject;
}

/** The client body of a case. */
export function inputOf(from: Dialect, c: Pick<Case, "input" | "with">): JsonObject {
  return { ...fixture(from, c.input), ...c.with };
}

/**
 * Runs a table: one test per case and upstream. `table` names the snapshot folder (the test file's name, so
 * each file owns its folder); `from` is the dialect the client speaks.
 */
export function requestTable(table: string, from: Dialect, cases: Case[]): void {
  const names = new Set<string>();
  describe(`${table}: fixture table`, () => {
    for (const c of cases) {
      if (names.has(c.name)) throw new Error(`duplicate case name ${c.name}`);
      names.add(c.name);
      for (const [to, want] of Object.entries(c.to) as [Upstream, Outcome | string[]][]) {
        const outcome = Array.isArray(want) ? { warnings: want } : want;
        it(`${c.name} → ${to}`, async () => {
          const input = inputOf(from, c);
          const out = translate(from, to, input, c.opts);
          expect(warningKeys(out.warnings)).toEqual(outcome.warnings);
          expect([...out.tools]).toEqual(outcome.tools ?? []);
          if (outcome.same) expect(out.body).toEqual(input);
          outcome.check?.(out, input);
          // The same request always gives the same upstream body (generated ids included).
          expect(translate(from, to, inputOf(from, c), c.opts).body).toEqual(out.body);
          await expect(toJson(normaliseIds(out.body, input))).toMatchFileSnapshot(snapshotFile(table, c.name, to));
        });
      }
    }
    it("every snapshot belongs to a case and every case has its snapshots", () => {
      const want = cases.flatMap((c) => Object.keys(c.to).map((to) => `${c.name}.${to}.json`)).sort();
      const dir = join(ROOT, "__snapshots__", table);
      const have = existsSync(dir) ? readdirSync(dir).sort() : [];
      // With -u the new files are written after this test has run: then only stale files are an error.
      if (expect.getState().snapshotState.snapshotUpdateState === "all")
        expect(have.filter((f) => !want.includes(f))).toEqual([]);
      else expect(have).toEqual(want);
    });
  });
}

/** A check that the upstream body carries these parts of the client body unchanged (`tools`, `messages.2`). */
export function keeps(...paths: string[]): NonNullable<Outcome["check"]> {
  const at = (v: Json | undefined, path: string) =>
    path
      .split(".")
      .reduce<Json | undefined>((x, k) => (x && typeof x === "object" ? (x as JsonObject)[k] : undefined), v);
  return (out, input) => {
    for (const p of paths) {
      expect(at(input, p), `${p} in the client body`).toBeDefined();
      expect(at(out.body, p), p).toEqual(at(input, p));
    }
  };
}

/**
 * The snapshot's path. Vitest writes a missing file snapshot and passes unless told not to; a table whose
 * snapshot went missing must fail instead, so a missing file is an error unless snapshots are being updated.
 */
function snapshotFile(table: string, name: string, to: Upstream): string {
  const file = join(ROOT, "__snapshots__", table, `${name}.${to}.json`);
  if (expect.getState().snapshotState.snapshotUpdateState !== "all")
    expect(existsSync(file), `missing snapshot ${file} (write it with -u)`).toBe(true);
  return file;
}

const ID_KEYS = new Set(["id", "call_id", "tool_use_id", "tool_call_id"]);

/**
 * Ids llmux makes up (an Anthropic-safe tool id, a shortened call id) depend on a hash, not on the case: each
 * distinct id under an id key that the client did not send becomes `<llmux-id-N>`, numbered in order of first
 * appearance, so a call and its result still visibly share one id.
 */
export function normaliseIds(body: JsonObject, input: JsonObject): JsonObject {
  const sent = new Set<string>();
  const collect = (v: Json): void => {
    if (typeof v === "string") sent.add(v);
    else if (Array.isArray(v)) v.forEach(collect);
    else if (v && typeof v === "object") Object.values(v).forEach(collect);
  };
  collect(input);
  const made = new Map<string, string>();
  const walk = (v: Json, key?: string): Json => {
    if (typeof v === "string" && key !== undefined && ID_KEYS.has(key) && !sent.has(v)) {
      if (!made.has(v)) made.set(v, `<llmux-id-${made.size + 1}>`);
      return made.get(v)!;
    }
    if (Array.isArray(v)) return v.map((x) => walk(x));
    if (v && typeof v === "object") return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, walk(x, k)]));
    return v;
  };
  return walk(body) as JsonObject;
}

const WIDTH = 120;

/**
 * JSON as the project's formatter (Biome) writes it, so snapshots pass `biome check`: a value on one line
 * when it fits in the line width, else one member or item per line.
 */
export function toJson(value: Json): string {
  const flat = (v: Json): string => {
    if (Array.isArray(v)) return v.length === 0 ? "[]" : `[${v.map(flat).join(", ")}]`;
    if (v && typeof v === "object") {
      const members = Object.entries(v).map(([k, x]) => `${JSON.stringify(k)}: ${flat(x)}`);
      return members.length === 0 ? "{}" : `{ ${members.join(", ")} }`;
    }
    return JSON.stringify(v);
  };
  /** `v` printed after `lead` characters on its line, followed by `tail` characters (a comma or nothing). */
  const out = (v: Json, indent: string, lead: number, tail: number): string => {
    const one = flat(v);
    if (v === null || typeof v !== "object" || lead + one.length + tail <= WIDTH) return one;
    const inner = `${indent}  `;
    const lines = Array.isArray(v)
      ? v.map((x, i) => `${inner}${out(x, inner, inner.length, i < v.length - 1 ? 1 : 0)}`)
      : Object.entries(v).map(([k, x], i, all) => {
          const key = `${JSON.stringify(k)}: `;
          return `${inner}${key}${out(x, inner, inner.length + key.length, i < all.length - 1 ? 1 : 0)}`;
        });
    return Array.isArray(v) ? `[\n${lines.join(",\n")}\n${indent}]` : `{\n${lines.join(",\n")}\n${indent}}`;
  };
  return `${out(value, "", 0, 0)}\n`;
}
