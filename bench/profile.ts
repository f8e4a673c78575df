/**
 * Reading V8 CPU profiles (`node --cpu-prof`): self time per function, self time per area (node internals,
 * undici, pino, llmux's own modules…), and an icicle-style flame graph as SVG. Pure functions.
 */
import type { ProfileEntry } from "./types.js";

export interface CpuProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number; columnNumber: number };
  hitCount?: number;
  children?: number[];
}

export interface CpuProfile {
  nodes: CpuProfileNode[];
  startTime: number;
  endTime: number;
  samples?: number[];
  timeDeltas?: number[];
}

/**
 * Microseconds of self time per node id (each sample is charged the time until the next one), leaving out
 * the first `skipUs` microseconds of the profile (start-up and warm-up).
 */
function selfTimes(p: CpuProfile, skipUs = 0): Map<number, number> {
  const out = new Map<number, number>();
  const samples = p.samples ?? [];
  const deltas = p.timeDeltas ?? [];
  if (samples.length === 0) {
    const total = p.endTime - p.startTime;
    const hits = p.nodes.reduce((s, n) => s + (n.hitCount ?? 0), 0) || 1;
    for (const n of p.nodes) out.set(n.id, ((n.hitCount ?? 0) * total) / hits);
    return out;
  }
  let t = 0;
  for (let i = 0; i < samples.length; i++) {
    t += deltas[i] ?? 0;
    if (t < skipUs) continue;
    const dt = deltas[i + 1] ?? deltas[i] ?? 0;
    const id = samples[i]!;
    out.set(id, (out.get(id) ?? 0) + Math.max(0, dt));
  }
  return out;
}

/** A short, stable name for where a function lives. */
export function location(url: string, line: number, root = ""): string {
  if (!url) return "(native)";
  let u = url.replace(/^file:\/\//, "");
  if (root && u.startsWith(root)) u = u.slice(root.length).replace(/^\//, "");
  const nm = u.lastIndexOf("node_modules/");
  if (nm !== -1) u = u.slice(nm + "node_modules/".length);
  return `${u}:${line + 1}`;
}

/** The area a function belongs to, for the per-area breakdown. */
export function area(fn: string, url: string): string {
  if (fn === "(garbage collector)") return "GC";
  if (fn === "(program)" || fn === "(root)") return "V8 / native (program)";
  if (fn === "(idle)") return "idle";
  if (!url) return "native (C++ bindings, builtins)";
  if (url.startsWith("node:")) {
    const m = /^node:(?:internal\/)?([a-z_]+)/.exec(url);
    const mod = m?.[1] ?? "other";
    if (/^(http|_http)/.test(mod)) return "node: http";
    if (/^(net|stream|streams|tcp|dns)/.test(mod)) return "node: net / streams";
    return "node: other internals";
  }
  const nm = url.lastIndexOf("node_modules/");
  if (nm !== -1) {
    const rest = url.slice(nm + "node_modules/".length).split("/");
    const pkg = rest[0]!.startsWith("@") ? `${rest[0]}/${rest[1]}` : rest[0]!;
    return `npm: ${pkg}`;
  }
  const dist = /\/dist\/([^/]+)\//.exec(url);
  if (dist) return `llmux: ${dist[1]}`;
  return "other";
}

export interface ProfileSummary {
  totalMs: number;
  busyMs: number;
  top: ProfileEntry[];
  byArea: { area: string; selfPct: number }[];
}

/** Top self-time functions (percent of non-idle time) and the per-area breakdown. */
export function summarizeProfile(p: CpuProfile, topN = 15, root = "", skipUs = 0): ProfileSummary {
  const self = selfTimes(p, skipUs);
  const byKey = new Map<string, { fn: string; where: string; us: number }>();
  const byArea = new Map<string, number>();
  let busy = 0;
  let total = 0;
  for (const n of p.nodes) {
    const us = self.get(n.id) ?? 0;
    if (us === 0) continue;
    total += us;
    const fn = n.callFrame.functionName || "(anonymous)";
    const a = area(fn, n.callFrame.url);
    if (a === "idle") continue;
    busy += us;
    byArea.set(a, (byArea.get(a) ?? 0) + us);
    const where = location(n.callFrame.url, n.callFrame.lineNumber, root);
    const key = `${fn}|${where}`;
    const e = byKey.get(key) ?? { fn, where, us: 0 };
    e.us += us;
    byKey.set(key, e);
  }
  const pct = (us: number) => (busy > 0 ? (100 * us) / busy : 0);
  const top = [...byKey.values()]
    .sort((a, b) => b.us - a.us)
    .slice(0, topN)
    .map((e) => ({ fn: e.fn, where: e.where, selfMs: e.us / 1000, selfPct: pct(e.us) }));
  const areas = [...byArea.entries()]
    .sort((a, b) => b[1] - a[1])
    .map(([name, us]) => ({ area: name, selfPct: pct(us) }));
  return { totalMs: total / 1000, busyMs: busy / 1000, top, byArea: areas };
}

const esc = (s: string): string => s.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;");

function color(a: string): string {
  if (a.startsWith("llmux")) return "#e8743b";
  if (a.startsWith("npm: undici")) return "#4c9be8";
  if (a.startsWith("npm: pino") || a.startsWith("npm: sonic") || a.startsWith("npm: thread")) return "#9b6ad6";
  if (a.startsWith("npm:")) return "#5cb85c";
  if (a.startsWith("node:")) return "#d9b340";
  if (a === "GC") return "#c94c4c";
  return "#9a9a9a";
}

/** An icicle flame graph (root on top, width = total time, idle excluded) as a standalone SVG. */
export function flameGraphSvg(p: CpuProfile, title: string, width = 1200, skipUs = 0): string {
  const self = selfTimes(p, skipUs);
  const byId = new Map(p.nodes.map((n) => [n.id, n]));
  const total = new Map<number, number>();
  const visit = (id: number): number => {
    const n = byId.get(id)!;
    if (n.callFrame.functionName === "(idle)") {
      total.set(id, 0);
      return 0;
    }
    let t = self.get(id) ?? 0;
    for (const c of n.children ?? []) t += visit(c);
    total.set(id, t);
    return t;
  };
  const root = p.nodes[0]!;
  const all = visit(root.id);
  const rowH = 16;
  const rects: string[] = [];
  let maxDepth = 0;
  const draw = (id: number, x: number, depth: number) => {
    const n = byId.get(id)!;
    const t = total.get(id) ?? 0;
    const w = all > 0 ? (t / all) * width : 0;
    if (w < 0.5 || depth > 60) return;
    maxDepth = Math.max(maxDepth, depth);
    const fn = n.callFrame.functionName || "(anonymous)";
    const a = area(fn, n.callFrame.url);
    const y = 30 + depth * rowH;
    const label = `${fn} ${location(n.callFrame.url, n.callFrame.lineNumber)} (${((100 * t) / (all || 1)).toFixed(1)}%)`;
    rects.push(
      `<g><title>${esc(label)}</title><rect x="${x.toFixed(1)}" y="${y}" width="${w.toFixed(1)}" height="${rowH - 1}" fill="${color(a)}"/>` +
        (w > 40
          ? `<text x="${(x + 3).toFixed(1)}" y="${y + 12}" font-size="10">${esc(fn.slice(0, Math.floor(w / 6)))}</text>`
          : "") +
        "</g>",
    );
    let cx = x;
    for (const c of n.children ?? []) {
      draw(c, cx, depth + 1);
      cx += all > 0 ? ((total.get(c) ?? 0) / all) * width : 0;
    }
  };
  draw(root.id, 0, 0);
  const h = 40 + (maxDepth + 1) * rowH;
  return (
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${h}" font-family="monospace">` +
    `<text x="4" y="18" font-size="13">${esc(title)}</text>${rects.join("")}</svg>\n`
  );
}
