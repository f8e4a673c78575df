/**
 * Validation issues in words: one line per problem, naming the path, echoing the bad value (never a secret's),
 * saying what is expected, and suggesting the likely intended key or value.
 */
import type { z } from "zod";
import { didYouMean, suggestion } from "../text/did-you-mean.js";

type Schema = z.core.$ZodType;
type Def = Record<string, unknown> & { type: string };

export function pathText(path: readonly PropertyKey[]): string {
  let out = "";
  for (const p of path) {
    if (typeof p === "number") out += `[${p}]`;
    else out += out ? `.${String(p)}` : String(p);
  }
  return out || "(root)";
}

export function valueAt(root: unknown, path: readonly PropertyKey[]): unknown {
  let v = root;
  for (const key of path) v = v && typeof v === "object" ? (v as Record<PropertyKey, unknown>)[key] : undefined;
  return v;
}

const defOf = (s: Schema): Def => (s as unknown as { _zod: { def: Def } })._zod.def;

/** The schema without its optional / default / pipe wrappers. */
function unwrap(s: Schema): Schema {
  let cur = s;
  for (;;) {
    const d = defOf(cur);
    if (["optional", "default", "prefault", "nullable", "readonly", "catch", "nonoptional"].includes(d.type))
      cur = d.innerType as Schema;
    else if (d.type === "pipe") cur = d.in as Schema;
    else return cur;
  }
}

/** For a discriminated union: the variant the value's discriminator selects (undefined if none does). */
function variantFor(s: Schema, value: unknown): Schema | undefined {
  const d = defOf(s);
  if (d.type !== "union") return s;
  const key = d.discriminator as string | undefined;
  const options = d.options as Schema[];
  if (!key) return undefined;
  const want = value && typeof value === "object" ? (value as Record<string, unknown>)[key] : undefined;
  return options.find((o) => discriminatorValues(unwrap(o), key).includes(want as string));
}

function discriminatorValues(s: Schema, key: string): string[] {
  const d = defOf(s);
  if (d.type !== "object") return [];
  const prop = (d.shape as Record<string, Schema>)[key];
  if (!prop) return [];
  const pd = defOf(unwrap(prop));
  return ((pd.values as unknown[]) ?? []).map(String);
}

/** The schema of the value at `path` in `input`, following discriminated unions by the input's own values. */
export function schemaAt(root: Schema, path: readonly PropertyKey[], input: unknown): Schema | undefined {
  let s: Schema | undefined = unwrap(root);
  let v = input;
  for (const key of path) {
    s = variantFor(s, v);
    if (!s) return undefined;
    const d = defOf(s);
    if (d.type === "object") s = (d.shape as Record<string, Schema>)[String(key)];
    else if (d.type === "record") s = d.valueType as Schema;
    else if (d.type === "array") s = d.element as Schema;
    else return undefined;
    if (!s) return undefined;
    s = unwrap(s);
    v = v && typeof v === "object" ? (v as Record<PropertyKey, unknown>)[key] : undefined;
  }
  return s ? variantFor(s, v) : undefined;
}

/** The keys an object schema accepts. */
function keysOf(s: Schema | undefined): string[] {
  if (!s) return [];
  const d = defOf(s);
  return d.type === "object" ? Object.keys(d.shape as object) : [];
}

/** For an object that is one variant of a discriminated union: the variants that accept `key`. */
function variantsWithKey(root: Schema, path: readonly PropertyKey[], input: unknown, key: string): string[] {
  if (path.length === 0) return [];
  const container = schemaAt(root, path.slice(0, -1), input);
  if (!container) return [];
  const cd = defOf(container);
  const raw =
    cd.type === "record"
      ? (cd.valueType as Schema)
      : cd.type === "object"
        ? (cd.shape as Record<string, Schema>)[String(path[path.length - 1])]
        : undefined;
  if (!raw) return [];
  const d = defOf(unwrap(raw));
  if (d.type !== "union" || !d.discriminator) return [];
  const disc = d.discriminator as string;
  return (d.options as Schema[])
    .filter((o) => keysOf(unwrap(o)).includes(key))
    .flatMap((o) => discriminatorValues(unwrap(o), disc));
}

/** Secrets are never echoed back: their key names say what they are. */
function isSecretPath(path: readonly PropertyKey[]): boolean {
  return path.some((p) => typeof p === "string" && (p === "headers" || /(^|_)(keys?|token|secret|password)$/i.test(p)));
}

function shown(value: unknown, path: readonly PropertyKey[]): string {
  if (isSecretPath(path)) return "(value not shown)";
  if (value === null) return "null (an empty value)";
  if (Array.isArray(value)) return "a list";
  if (typeof value === "object") return "a mapping";
  const text = JSON.stringify(value);
  return text.length > 80 ? `${text.slice(0, 77)}…"` : text;
}

const EXPECTED: Record<string, string> = {
  number: "a number",
  int: "a whole number",
  string: "a string",
  boolean: "true or false",
  object: "a mapping (key: value)",
  array: "a list",
  record: "a mapping (key: value)",
};

/** One zod issue in words: one line per problem (an issue about several unknown keys is several problems). */
export function issueLines(issue: z.core.$ZodIssue, input: unknown, root: Schema): string[] {
  if (issue.code === "unrecognized_keys") {
    return issue.keys.map((k) => issueText({ ...issue, keys: [k] }, input, root));
  }
  return [issueText(issue, input, root)];
}

function issueText(issue: z.core.$ZodIssue, input: unknown, root: Schema): string {
  const where = pathText(issue.path);
  const value = valueAt(input, issue.path);
  switch (issue.code) {
    case "unrecognized_keys": {
      const known = keysOf(schemaAt(root, issue.path, input));
      const k = issue.keys[0] ?? "";
      const close = didYouMean(k, known);
      if (close) return `${where}: unknown key '${k}' (did you mean '${close}'?)`;
      const elsewhere = variantsWithKey(root, issue.path, input, k);
      if (elsewhere.length > 0)
        return `${where}: unknown key '${k}': it belongs to type ${elsewhere.join(", ")} (keys of this type: ${known.join(", ")})`;
      return `${where}: unknown key '${k}'${known.length ? ` (known keys: ${known.join(", ")})` : ""}`;
    }
    case "invalid_union": {
      if ("discriminator" in issue && issue.discriminator) {
        const options = ((issue as { options?: unknown[] }).options ?? []).map(String);
        const key = issue.discriminator;
        if (value === undefined) return `${where}: '${key}' is missing; it is one of ${options.join(", ")}`;
        const hint = typeof value === "string" ? suggestion(value, options) : "";
        return `${where}: ${shown(value, issue.path)} is not one of ${options.join(", ")}${hint}`;
      }
      return `${where}: ${shown(value, issue.path)} matches none of the accepted forms`;
    }
    case "invalid_value": {
      const options = issue.values.map(String);
      const hint = typeof value === "string" ? suggestion(value, options) : "";
      if (value === undefined) return `${where}: missing; it is one of ${options.join(", ")}`;
      return `${where}: ${shown(value, issue.path)} is not one of ${options.join(", ")}${hint}`;
    }
    case "invalid_type": {
      const expected = EXPECTED[issue.expected] ?? issue.expected;
      if (value === undefined) return `${where}: missing (required: ${expected})`;
      let hint = "";
      if (issue.expected === "string" && (typeof value === "number" || typeof value === "boolean"))
        hint = " (quote it)";
      const spelled = typeof value === "string" ? value.trim() : "";
      if (issue.expected !== "string" && (/^-?\d+(\.\d+)?$/.test(spelled) || /^(true|false)$/.test(spelled)))
        hint = " (write it without quotes)";
      return `${where}: expected ${expected}, got ${shown(value, issue.path)}${hint}`;
    }
    case "too_small":
    case "too_big": {
      const bound = issue.code === "too_small" ? issue.minimum : issue.maximum;
      const cmp =
        issue.code === "too_small"
          ? issue.inclusive
            ? "at least"
            : "more than"
          : issue.inclusive
            ? "at most"
            : "less than";
      if (issue.origin === "string")
        return `${where}: must be ${cmp} ${bound} characters long, got ${String(value ?? "").length}`;
      if (issue.origin === "array") return `${where}: must have ${cmp} ${bound} entries`;
      return `${where}: must be ${cmp} ${bound}, got ${shown(value, issue.path)}`;
    }
    case "invalid_format": {
      if (issue.format === "url")
        return `${where}: ${shown(value, issue.path)} is not a URL (write it in full, e.g. https://host/path)`;
      // A pattern the schema explains in words (`write HH:MM-HH:MM`) says them, not "not a valid regex".
      if (issue.format === "regex" && !issue.message.startsWith("Invalid"))
        return `${where}: ${shown(value, issue.path)}: ${issue.message}`;
      return `${where}: ${shown(value, issue.path)} is not a valid ${issue.format}`;
    }
    default:
      return `${where}: ${issue.message}`;
  }
}
