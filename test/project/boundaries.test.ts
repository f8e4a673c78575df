/**
 * The import boundaries of src/: contracts down, composition up. Every import goes from a room to a room on
 * a lower floor (test/project/rooms.ts), and no files import each other in a circle. The graph is read from
 * the code's own import statements (static, `export … from`, and `import()` of a literal path).
 */
import { readdirSync, readFileSync, statSync } from "node:fs";
import { dirname, join, relative, resolve } from "node:path";
import { describe, expect, it } from "vitest";
import { FLOORS } from "./rooms.js";

const SRC = join(import.meta.dirname, "..", "..", "src");
const BENCH = join(import.meta.dirname, "..", "..", "bench");

function sources(dir: string, out: string[] = []): string[] {
  for (const name of readdirSync(dir)) {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) sources(p, out);
    else if (/\.tsx?$/.test(name) && !name.endsWith(".d.ts")) out.push(p);
  }
  return out;
}

const IMPORT =
  /(?:^|[;\n])\s*(?:import|export)\s[^;]*?\sfrom\s+["'](\.{1,2}\/[^"']+)["']|import\(\s*["'](\.{1,2}\/[^"']+)["']\s*\)/g;

/** Each file's relative imports, as files of `root` (src/ unless said). */
function graph(root = SRC): Map<string, string[]> {
  const g = new Map<string, string[]>();
  for (const file of sources(root)) {
    const text = readFileSync(file, "utf8");
    const to: string[] = [];
    for (const m of text.matchAll(IMPORT)) {
      const spec = m[1] ?? m[2]!;
      const target = resolve(dirname(file), spec).replace(/\.js$/, ".ts");
      if (target.startsWith(root)) to.push(relative(root, target));
    }
    g.set(relative(root, file), to);
  }
  return g;
}

const roomOf = (file: string) => (file.includes("/") ? file.split("/")[0]! : file.replace(/\.ts$/, ""));

/** Strongly connected components of more than one file (Tarjan), or a file that imports itself. */
function circles(g: Map<string, string[]>): string[][] {
  let index = 0;
  const idx = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const on = new Set<string>();
  const out: string[][] = [];
  const visit = (v: string) => {
    idx.set(v, index);
    low.set(v, index);
    index++;
    stack.push(v);
    on.add(v);
    for (const w of g.get(v) ?? []) {
      if (!g.has(w)) continue;
      if (!idx.has(w)) {
        visit(w);
        low.set(v, Math.min(low.get(v)!, low.get(w)!));
      } else if (on.has(w)) low.set(v, Math.min(low.get(v)!, idx.get(w)!));
    }
    if (low.get(v) === idx.get(v)) {
      const scc: string[] = [];
      for (;;) {
        const w = stack.pop()!;
        on.delete(w);
        scc.push(w);
        if (w === v) break;
      }
      if (scc.length > 1 || (g.get(v) ?? []).includes(v)) out.push(scc.sort());
    }
  };
  for (const v of g.keys()) if (!idx.has(v)) visit(v);
  return out;
}

describe("import boundaries of src/", () => {
  const g = graph();
  const floor = new Map<string, number>();
  FLOORS.forEach((rooms, i) => {
    for (const r of rooms) floor.set(r, i + 1);
  });

  it("reads the graph (the check has something to check)", () => {
    expect(g.size).toBeGreaterThan(300);
    expect([...g.values()].flat().length).toBeGreaterThan(1000);
  });

  it("places every room of src/ on a floor", () => {
    const rooms = new Set([...g.keys()].map(roomOf));
    const unplaced = [...rooms].filter((r) => !floor.has(r));
    expect(unplaced, "rooms missing from test/project/rooms.ts").toEqual([]);
    const gone = [...floor.keys()].filter((r) => !rooms.has(r));
    expect(gone, "rooms in test/project/rooms.ts that src/ no longer has").toEqual([]);
  });

  it("imports only downward: no room imports a room on its own floor or above", () => {
    const upward: string[] = [];
    for (const [file, targets] of g) {
      const from = roomOf(file);
      for (const t of targets) {
        const to = roomOf(t);
        if (to === from) continue;
        const a = floor.get(from);
        const b = floor.get(to);
        if (a === undefined || b === undefined || b >= a)
          upward.push(`src/${file} imports src/${t}: ${from} (floor ${a}) may not use ${to} (floor ${b})`);
      }
    }
    expect(upward).toEqual([]);
  });

  it("has no import cycle between files", () => {
    expect(circles(g).map((c) => c.map((f) => `src/${f}`).join(" → "))).toEqual([]);
  });

  it("has no import cycle between the benchmark's files either (bench/)", () => {
    expect(circles(graph(BENCH)).map((c) => c.map((f) => `bench/${f}`).join(" → "))).toEqual([]);
  });

  it("would catch an upward import and a cycle (the checks can fail)", () => {
    const bad = new Map<string, string[]>([
      ["ir/a.ts", ["ir/b.ts"]],
      ["ir/b.ts", ["ir/a.ts"]],
    ]);
    expect(circles(bad)).toEqual([["ir/a.ts", "ir/b.ts"]]);
    expect((floor.get("server") ?? 0) > (floor.get("request") ?? 0)).toBe(true);
  });
});
