/**
 * The JSON Schema of the configuration file (`llmux schema`), derived from the zod schema and adjusted to
 * accept exactly what the loader accepts and to give editors readable errors:
 *
 * - where a number, boolean, choice, URL or constrained string is expected, a string holding a `${VAR}`
 *   reference is accepted too (the loader reads it after substitution);
 * - a union discriminated by a key (providers by `type`) becomes `if`/`then` on that key, so a validator
 *   reports the problems of the variant the value names, not every variant's.
 */
import { z } from "zod";
import { ConfigSchema } from "./schema.js";

type Node = Record<string, unknown>;

/** A `${NAME}` or `${NAME:-default}` reference anywhere in a string (the loader's syntax). */
export const ENV_REF_PATTERN = "\\$\\{[A-Za-z_][A-Za-z0-9_]*(:-[^}]*)?\\}";

const ENV_REF: Node = {
  type: "string",
  pattern: ENV_REF_PATTERN,
  description: 'A value read from the environment when llmux starts: "$' + '{NAME}" or "$' + '{NAME:-default}".',
};

const META = ["description", "default", "title", "examples", "deprecated"];

const isNode = (v: unknown): v is Node => typeof v === "object" && v !== null && !Array.isArray(v);

/** Whether a leaf constrains its value beyond "any string" (so a `${VAR}` string would fail it). */
function constrainedLeaf(n: Node): boolean {
  if (n.const !== undefined || n.properties || n.items || n.anyOf || n.oneOf || n.allOf) return false;
  if (n.type === "number" || n.type === "integer" || n.type === "boolean") return true;
  if (Array.isArray(n.enum)) return true;
  return n.type === "string" && (n.format !== undefined || n.minLength !== undefined || n.pattern !== undefined);
}

function acceptEnvRef(n: Node): Node {
  const meta: Node = {};
  const core: Node = {};
  for (const [k, v] of Object.entries(n)) (META.includes(k) ? meta : core)[k] = v;
  return { ...meta, anyOf: [core, { $ref: "#/$defs/env_ref" }] };
}

/** The key every option fixes with a `const`, if there is one: the union's discriminator. */
function discriminator(options: Node[]): string | undefined {
  const first = options[0];
  if (!first || !isNode(first.properties)) return undefined;
  return Object.keys(first.properties).find((k) =>
    options.every((o) => isNode(o.properties) && isNode(o.properties[k]) && typeof o.properties[k].const === "string"),
  );
}

function discriminated(options: Node[], key: string, meta: Node): Node {
  const values = options.map((o) => (o.properties as Record<string, Node>)[key]!.const as string);
  // A variant whose key has a default (the loader fills it in) is also the one meant when the key is absent.
  const defaulted = options.findIndex((o) => !(Array.isArray(o.required) && o.required.includes(key)));
  const named = (i: number): Node => ({ properties: { [key]: { const: values[i] } }, required: [key] });
  return {
    ...meta,
    type: "object",
    ...(defaulted === -1 ? { required: [key] } : {}),
    properties: { [key]: { type: "string", enum: values, description: `One of: ${values.join(", ")}.` } },
    allOf: options.map((o, i) => ({
      if: i === defaulted ? { anyOf: [named(i), { not: { required: [key] } }] } : named(i),
      // biome-ignore lint/suspicious/noThenProperty: JSON Schema's keyword (if the discriminator matches, then this variant)
      then: o,
    })),
  };
}

function transform(node: unknown): unknown {
  if (Array.isArray(node)) return node.map(transform);
  if (!isNode(node)) return node;
  const out: Node = {};
  for (const [k, v] of Object.entries(node)) {
    if (k === "properties" || k === "$defs" || k === "patternProperties") {
      out[k] = Object.fromEntries(Object.entries(v as Node).map(([name, s]) => [name, transform(s)]));
    } else if (k === "default" || k === "const" || k === "enum" || k === "examples") out[k] = v;
    else out[k] = transform(v);
  }
  const union = (out.oneOf ?? out.anyOf) as Node[] | undefined;
  if (Array.isArray(union) && union.every(isNode)) {
    const key = discriminator(union);
    if (key) {
      const meta: Node = {};
      for (const [k, v] of Object.entries(out)) if (k !== "oneOf" && k !== "anyOf") meta[k] = v;
      return discriminated(union, key, meta);
    }
  }
  return constrainedLeaf(out) ? acceptEnvRef(out) : out;
}

/** The configuration file's JSON Schema (draft 2020-12), as `llmux schema` prints it. */
export function configJsonSchema(): Node {
  const base = z.toJSONSchema(ConfigSchema, { io: "input" }) as Node;
  const schema = transform(base) as Node;
  return {
    $schema: base.$schema,
    title: "llmux configuration",
    description: "llmux.yaml: where llmux listens, who may call it, its providers and its models (docs/config.md).",
    ...Object.fromEntries(Object.entries(schema).filter(([k]) => k !== "$schema")),
    $defs: { ...(schema.$defs as Node | undefined), env_ref: ENV_REF },
  };
}
