/**
 * Mutations of known-good inputs: a JSON value with a field replaced, removed, duplicated or nested thousands
 * deep; bytes truncated, flipped, spliced. The arbitraries are fast-check's, so a run is fixed by its seed and
 * a failing input shrinks.
 */
import fc from "fast-check";

export type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

/** One mutation of a JSON value; `pick` chooses the place among the value's places when it is applied. */
export interface JsonOp {
  kind: "set" | "delete" | "deep" | "wide" | "type" | "long";
  pick: number;
  n: number;
  value: Json;
}

/** A place in a JSON value: the path of keys and indexes from the root. */
type Path = (string | number)[];

/** Every place of a value (the root first), at most `max` of them. */
function places(v: Json, max = 512): Path[] {
  const out: Path[] = [[]];
  const stack: [Json, Path][] = [[v, []]];
  while (stack.length > 0 && out.length < max) {
    const [x, p] = stack.pop()!;
    if (Array.isArray(x))
      x.forEach((c, i) => {
        out.push([...p, i]);
        stack.push([c, [...p, i]]);
      });
    else if (x !== null && typeof x === "object")
      for (const k of Object.keys(x)) {
        out.push([...p, k]);
        stack.push([x[k]!, [...p, k]]);
      }
  }
  return out;
}

/** A marker a mutation leaves where text too deep to build as a value belongs (see `jsonText`). */
const DEEP = "\u0000deep:";

/** `n` levels of arrays (or objects) around one value, as JSON text. */
function deepText(n: number, objects: boolean): string {
  return objects ? `${'{"a":'.repeat(n)}1${"}".repeat(n)}` : `${"[".repeat(n)}1${"]".repeat(n)}`;
}

function replaced(op: JsonOp): Json {
  switch (op.kind) {
    case "deep":
      // Nesting as text (built as a value, JSON.stringify itself would overflow): 1 to 16,384 levels.
      return `${DEEP}${2 ** (op.n % 15)}:${op.n % 2}`;
    case "wide":
      // 1 to 2,048 of the same value (nested in one, they multiply: millions of arrays in a few megabytes).
      return Array.from({ length: 2 ** (op.n % 12) }, () => op.value);
    case "type":
      return [null, true, 0, -1, 1e308, "", [], {}, "0", Number.MAX_SAFE_INTEGER][op.n % 10]!;
    case "long":
      // Sizes spread evenly over the powers of two, 1 to 128 K characters.
      return "x".repeat(2 ** (op.n % 18));
    default:
      return op.value;
  }
}

/** A copy of `v` with the mutations applied, in order. */
export function mutateJson(v: Json, ops: readonly JsonOp[]): Json {
  let root: Json = structuredClone(v);
  for (const op of ops) {
    const all = places(root);
    const path = all[op.pick % all.length]!;
    if (path.length === 0) {
      root = op.kind === "delete" ? {} : replaced(op);
      continue;
    }
    let parent: Json = root;
    for (const k of path.slice(0, -1)) parent = (parent as Record<string, Json>)[k as string]!;
    const last = path[path.length - 1]!;
    if (Array.isArray(parent)) {
      if (op.kind === "delete") parent.splice(last as number, 1);
      else parent[last as number] = replaced(op);
    } else if (parent !== null && typeof parent === "object") {
      if (op.kind === "delete") delete parent[last as string];
      else parent[last as string] = replaced(op);
    }
  }
  return root;
}

/** JSON text of a mutated value, with the deep markers written out as nesting. */
export function jsonText(v: Json): string {
  const text = JSON.stringify(v);
  if (!text.includes("\\u0000deep:")) return text;
  return text.replace(/"\\u0000deep:(\d+):(\d)"/g, (_m, n: string, o: string) => deepText(Number(n), o === "1"));
}

export const jsonOp: fc.Arbitrary<JsonOp> = fc.record({
  kind: fc.constantFrom<JsonOp["kind"]>("set", "set", "set", "delete", "delete", "deep", "wide", "type", "long"),
  pick: fc.nat(),
  n: fc.nat(),
  value: fc.jsonValue({ maxDepth: 3 }) as fc.Arbitrary<Json>,
});

/** A mutant of one of `seeds` (sometimes the seed itself), as its JSON text. */
export function jsonMutant(seeds: readonly Json[]): fc.Arbitrary<string> {
  return fc.tuple(fc.constantFrom(...seeds), fc.array(jsonOp, { minLength: 0, maxLength: 3 })).map(([seed, ops]) => {
    try {
      return jsonText(mutateJson(seed, ops));
    } catch (err) {
      // Repeats of repeats of long strings can pass the longest string V8 makes (2^29 characters): such a
      // mutant cannot be sent at all; the seed is tried instead (the generator failing ended a long run).
      if (err instanceof RangeError) return jsonText(seed);
      throw err;
    }
  });
}

/** One change to bytes. */
export interface ByteOp {
  kind: "truncate" | "flip" | "insert" | "delete" | "repeat";
  at: number;
  n: number;
  bytes: Uint8Array;
}

export const byteOp: fc.Arbitrary<ByteOp> = fc.record({
  kind: fc.constantFrom<ByteOp["kind"]>("truncate", "flip", "insert", "delete", "repeat"),
  at: fc.nat(),
  n: fc.nat({ max: 4096 }),
  bytes: fc.uint8Array({ maxLength: 16 }),
});

/** A copy of `b` with the changes applied, in order. */
export function mutateBytes(b: Uint8Array, ops: readonly ByteOp[]): Buffer {
  let out = Buffer.from(b);
  for (const op of ops) {
    const at = out.length === 0 ? 0 : op.at % (out.length + 1);
    switch (op.kind) {
      case "truncate":
        out = out.subarray(0, at);
        break;
      case "flip":
        if (out.length > 0) out[at % out.length]! ^= 1 << (op.n % 8);
        break;
      case "insert":
        out = Buffer.concat([out.subarray(0, at), op.bytes, out.subarray(at)]);
        break;
      case "delete":
        out = Buffer.concat([out.subarray(0, at), out.subarray(at + (op.n % 64) + 1)]);
        break;
      case "repeat": {
        const piece = out.subarray(at, at + (op.n % 256) + 1);
        out = Buffer.concat([
          out.subarray(0, at),
          ...Array.from({ length: (op.n % 8) + 2 }, () => piece),
          out.subarray(at),
        ]);
        break;
      }
    }
  }
  return out;
}

/** A byte mutant of one of `seeds` (sometimes the seed itself). */
export function bytesMutant(seeds: readonly Uint8Array[]): fc.Arbitrary<Buffer> {
  return fc
    .tuple(fc.constantFrom(...seeds), fc.array(byteOp, { minLength: 0, maxLength: 4 }))
    .map(([seed, ops]) => mutateBytes(seed, ops));
}

/** Where a body is cut into chunks (a stream read in pieces). */
export const cuts: fc.Arbitrary<number[]> = fc.array(fc.nat(), { maxLength: 6 });

/** `text` cut at the given places (each taken modulo its length). */
export function chunked(text: Buffer, at: readonly number[]): Buffer[] {
  const points = [...new Set(at.map((a) => (text.length === 0 ? 0 : a % text.length)))].sort((x, y) => x - y);
  const out: Buffer[] = [];
  let from = 0;
  for (const p of points) {
    out.push(text.subarray(from, p));
    from = p;
  }
  out.push(text.subarray(from));
  return out;
}
