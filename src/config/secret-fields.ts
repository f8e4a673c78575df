import { z } from "zod";

/**
 * Where the configuration declares its secrets: each secret field is marked once, in its schema, with
 * `secret(...)`, and the redaction pass (src/secrets/redact.ts `configSecrets`) finds every value of a parsed
 * configuration by walking the schema beside it. A new secret field is redacted everywhere by marking it; a
 * field named like a secret and not marked fails test/secrets/declared-secrets.test.ts.
 *
 * How a value holds its secret:
 * - `value`: the value itself (a string, or every string of an array or record);
 * - `url`: the password of a URL (a database's);
 * - `service_account`: a Google service account's JSON (the JSON, its private key and each line of it).
 */
export type SecretKind = "value" | "url" | "service_account";

const declared = z.registry<{ kind: SecretKind }>();

/**
 * Marks a schema as holding a secret. Put it outermost (after `.optional()`, `.describe()`…: each of those
 * makes a new schema, which the mark would not follow).
 */
export function secret<T extends z.ZodType>(schema: T, kind: SecretKind = "value"): T {
  declared.add(schema, { kind });
  return schema;
}

/** A secret found in a configuration: its value and how it holds the secret. */
export interface DeclaredSecret {
  value: string;
  kind: SecretKind;
  /** Where it is (`providers.openai.api_key`), for a test's words. */
  path: string;
}

type Def = {
  type: string;
  shape?: Record<string, z.ZodType>;
  valueType?: z.ZodType;
  element?: z.ZodType;
  innerType?: z.ZodType;
  options?: z.ZodType[];
  left?: z.ZodType;
  right?: z.ZodType;
  in?: z.ZodType;
  out?: z.ZodType;
  items?: z.ZodType[];
  rest?: z.ZodType | null;
  getter?: () => z.ZodType;
};

const defOf = (s: z.ZodType): Def => (s as unknown as { _zod: { def: Def } })._zod.def;

/** Every string in a value (a marked array or record holds secrets in each of its strings). */
function strings(v: unknown, path: string, out: (s: string, path: string) => void): void {
  if (typeof v === "string") out(v, path);
  else if (Array.isArray(v)) for (const [i, x] of v.entries()) strings(x, `${path}[${i}]`, out);
  else if (v && typeof v === "object") for (const [k, x] of Object.entries(v)) strings(x, `${path}.${k}`, out);
}

/**
 * The secrets a value holds, by the marks of its schema: the schema and the value are walked together
 * (objects, records, arrays, tuples, optional, default, union: every option, pipes: both sides, lazy).
 */
export function declaredSecrets(schema: z.ZodType, value: unknown): DeclaredSecret[] {
  const found: DeclaredSecret[] = [];
  const seen = new Set<string>();
  const walk = (s: z.ZodType, v: unknown, path: string, depth: number): void => {
    if (v === undefined || v === null || depth > 64) return;
    const mark = declared.get(s);
    if (mark) {
      strings(v, path, (value, where) => {
        const id = `${mark.kind}\0${where}\0${value}`;
        if (seen.has(id)) return;
        seen.add(id);
        found.push({ value, kind: mark.kind, path: where });
      });
      return;
    }
    const d = defOf(s);
    switch (d.type) {
      case "object":
        if (typeof v === "object" && !Array.isArray(v))
          for (const [k, inner] of Object.entries(d.shape ?? {}))
            walk(inner, (v as Record<string, unknown>)[k], path ? `${path}.${k}` : k, depth + 1);
        return;
      case "record":
        if (typeof v === "object" && !Array.isArray(v) && d.valueType)
          for (const [k, x] of Object.entries(v as Record<string, unknown>))
            walk(d.valueType, x, path ? `${path}.${k}` : k, depth + 1);
        return;
      case "array":
        if (Array.isArray(v) && d.element)
          for (const [i, x] of v.entries()) walk(d.element, x, `${path}[${i}]`, depth + 1);
        return;
      case "tuple":
        if (Array.isArray(v))
          v.forEach((x, i) => {
            const item = d.items?.[i] ?? d.rest ?? undefined;
            if (item) walk(item, x, `${path}[${i}]`, depth + 1);
          });
        return;
      case "union":
        for (const o of d.options ?? []) walk(o, v, path, depth + 1);
        return;
      case "intersection":
        if (d.left) walk(d.left, v, path, depth + 1);
        if (d.right) walk(d.right, v, path, depth + 1);
        return;
      case "pipe":
        if (d.in) walk(d.in, v, path, depth + 1);
        if (d.out) walk(d.out, v, path, depth + 1);
        return;
      case "lazy":
        if (d.getter) walk(d.getter(), v, path, depth + 1);
        return;
      default:
        if (d.innerType) walk(d.innerType, v, path, depth + 1);
    }
  };
  walk(schema, value, "", 0);
  return found;
}

/**
 * Every field of a schema (paths with `*` for a record's or array's members) as each schema that can be there
 * has it, marked or not (a path in several union options is listed once per option): for the test that fails
 * when a field named like a secret is not marked.
 */
export function schemaFields(schema: z.ZodType): { path: string; secret: boolean }[] {
  const out: { path: string; secret: boolean }[] = [];
  const walk = (s: z.ZodType, path: string, depth: number): void => {
    if (depth > 64) return;
    if (declared.has(s)) {
      out.push({ path, secret: true });
      return;
    }
    const d = defOf(s);
    const join = (k: string) => (path ? `${path}.${k}` : k);
    const inner = (x: z.ZodType | undefined | null) => x && walk(x, path, depth + 1);
    if (d.type === "object") for (const [k, x] of Object.entries(d.shape ?? {})) walk(x, join(k), depth + 1);
    else if (d.type === "record" && d.valueType) walk(d.valueType, join("*"), depth + 1);
    else if (d.type === "array" && d.element) walk(d.element, join("*"), depth + 1);
    else if (d.type === "tuple") for (const item of d.items ?? []) walk(item, join("*"), depth + 1);
    else if (d.type === "union") for (const o of d.options ?? []) inner(o);
    else if (d.type === "intersection") for (const o of [d.left, d.right]) inner(o);
    else if (d.type === "pipe") for (const o of [d.in, d.out]) inner(o);
    else if (d.type === "lazy" && d.getter) inner(d.getter());
    else if (d.innerType) inner(d.innerType);
    else out.push({ path, secret: false });
  };
  walk(schema, "", 0);
  return out;
}
