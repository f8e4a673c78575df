/** The report's chart (docs/performance-latency.svg): added latency per lane and gateway, and against body size. */
import { added, curvePoints, GATEWAYS, gatewaysOf, M } from "./report-figures.js";
import { fmt, kb, num } from "./report-format.js";
import { type BenchResults, type LaneInfo, type TargetName, targetLabel } from "./types.js";

const COLORS: Record<TargetName, string> = {
  direct: "#888888",
  proxy: "#b0b0b0",
  llmux: "#e8743b",
  compare: "#f2b48f",
  portkey: "#4c9be8",
  ccr: "#5cb85c",
};

const escXml = (s: string): string => s.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;");

/** Two panels: added p50 latency at c = 1 per lane and gateway (log scale); added latency against body size. */
export function renderChart(r: BenchResults): string {
  const W = 900;
  const left = 190;
  const barH = 9;
  const lanes = r.lanes;
  const rowsPerLane = (l: LaneInfo) => Math.max(1, gatewaysOf(l).length);
  const panel1H = 78 + lanes.reduce((s, l) => s + rowsPerLane(l) * (barH + 2) + 10, 0);
  const lo = 0.01;
  const hi = 1000;
  const plotW = W - left - 90;
  const x = (v: number) =>
    left + ((Math.log10(Math.max(lo, Math.min(hi, v))) - Math.log10(lo)) / (Math.log10(hi) - Math.log10(lo))) * plotW;
  const parts: string[] = [];
  parts.push(
    `<text x="10" y="20" font-size="14" font-weight="bold">Added latency, p50 at concurrency 1 (ms, log scale; gateway − direct)</text>`,
  );
  for (const tick of [0.01, 0.1, 1, 10, 100, 1000]) {
    parts.push(
      `<line x1="${x(tick).toFixed(1)}" y1="50" x2="${x(tick).toFixed(1)}" y2="${panel1H - 18}" stroke="#ddd"/>`,
    );
    parts.push(`<text x="${x(tick).toFixed(1)}" y="${panel1H - 5}" font-size="10" text-anchor="middle">${tick}</text>`);
  }
  let y = 58;
  for (const l of lanes) {
    const gws = gatewaysOf(l);
    parts.push(`<text x="${left - 6}" y="${y + 8}" font-size="11" text-anchor="end">${escXml(l.id)}</text>`);
    for (const g of gws) {
      const s = added(r, l.id, g, 1, M.p50);
      if (s) {
        const v = s.median;
        parts.push(
          `<rect x="${left}" y="${y}" width="${Math.max(1, x(v) - left).toFixed(1)}" height="${barH}" fill="${COLORS[g]}"><title>${escXml(`${targetLabel(g, r.meta)}: ${fmt(s)} ms`)}</title></rect>`,
        );
        parts.push(
          `<text x="${(Math.max(left + 1, x(v)) + 4).toFixed(1)}" y="${y + 8}" font-size="9">${escXml(v <= lo ? `${num(v)} (≈ 0)` : num(v))}</text>`,
        );
      } else {
        parts.push(
          `<text x="${left + 4}" y="${y + 8}" font-size="9" fill="#999">${escXml(targetLabel(g, r.meta))}: n/a</text>`,
        );
      }
      y += barH + 2;
    }
    y += 10;
  }
  // legend
  let lx = left;
  for (const g of GATEWAYS.filter((t) => t !== "compare" || r.meta.compare)) {
    const label = targetLabel(g, r.meta);
    parts.push(`<rect x="${lx}" y="28" width="10" height="10" fill="${COLORS[g]}"/>`);
    parts.push(`<text x="${lx + 14}" y="37" font-size="11">${escXml(label)}</text>`);
    lx += g === "ccr" ? 0 : g === "portkey" ? 65 : g === "proxy" ? 95 : g === "llmux" ? 55 : 24 + 6.5 * label.length;
  }

  // panel 2: body size curve (log-log)
  const top2 = panel1H + 30;
  const h2 = 260;
  const curveLanes = [...new Set(r.curve.map((p) => p.lane))];
  parts.push(
    `<text x="10" y="${top2}" font-size="14" font-weight="bold">llmux added latency (p50, c = 1) against body size (log-log)</text>`,
  );
  const sizes = [...new Set(r.curve.map((p) => p.bytes))].sort((a, b) => a - b);
  if (sizes.length > 0) {
    const xl = 5_000;
    const xh = 2_000_000;
    const yl = 0.01;
    const yh = 100;
    const px0 = 80;
    const pw = W - px0 - 200;
    const py0 = top2 + 20;
    const ph = h2 - 50;
    const X = (b: number) => px0 + ((Math.log10(b) - Math.log10(xl)) / (Math.log10(xh) - Math.log10(xl))) * pw;
    const Y = (v: number) =>
      py0 +
      ph -
      ((Math.log10(Math.max(yl, Math.min(yh, v))) - Math.log10(yl)) / (Math.log10(yh) - Math.log10(yl))) * ph;
    for (const t of [0.01, 0.1, 1, 10, 100]) {
      parts.push(`<line x1="${px0}" y1="${Y(t).toFixed(1)}" x2="${px0 + pw}" y2="${Y(t).toFixed(1)}" stroke="#eee"/>`);
      parts.push(`<text x="${px0 - 6}" y="${(Y(t) + 3).toFixed(1)}" font-size="10" text-anchor="end">${t} ms</text>`);
    }
    for (const b of [10_000, 100_000, 1_000_000]) {
      parts.push(`<line x1="${X(b).toFixed(1)}" y1="${py0}" x2="${X(b).toFixed(1)}" y2="${py0 + ph}" stroke="#eee"/>`);
      parts.push(
        `<text x="${X(b).toFixed(1)}" y="${py0 + ph + 14}" font-size="10" text-anchor="middle">${b / 1000} kB</text>`,
      );
    }
    const palette = ["#e8743b", "#b8452b", "#f0a060"];
    const proxyPts = curvePoints(r, curveLanes[0] ?? "", "proxy").filter((p) => p.added && p.added.median > 0);
    if (proxyPts.length > 1) {
      const d = proxyPts
        .map((p, j) => `${j === 0 ? "M" : "L"}${X(p.bytes).toFixed(1)},${Y(p.added!.median).toFixed(1)}`)
        .join(" ");
      parts.push(`<path d="${d}" fill="none" stroke="#b0b0b0" stroke-width="2"/>`);
      const yy = py0 + 10 + curveLanes.length * 16;
      parts.push(
        `<line x1="${px0 + pw + 15}" y1="${yy}" x2="${px0 + pw + 35}" y2="${yy}" stroke="#b0b0b0" stroke-width="2"/>`,
      );
      parts.push(`<text x="${px0 + pw + 40}" y="${yy + 4}" font-size="11">minimal proxy</text>`);
    }
    curveLanes.forEach((lane, i) => {
      const pts = curvePoints(r, lane).filter((p) => p.added);
      const col = palette[i % palette.length]!;
      const d = pts
        .map((p, j) => `${j === 0 ? "M" : "L"}${X(p.bytes).toFixed(1)},${Y(p.added!.median).toFixed(1)}`)
        .join(" ");
      parts.push(`<path d="${d}" fill="none" stroke="${col}" stroke-width="2"/>`);
      for (const p of pts) {
        parts.push(
          `<circle cx="${X(p.bytes).toFixed(1)}" cy="${Y(p.added!.median).toFixed(1)}" r="3" fill="${col}"><title>${escXml(`${lane} ${kb(p.bytes)}: ${fmt(p.added)} ms`)}</title></circle>`,
        );
      }
      parts.push(
        `<line x1="${px0 + pw + 15}" y1="${py0 + 10 + i * 16}" x2="${px0 + pw + 35}" y2="${py0 + 10 + i * 16}" stroke="${col}" stroke-width="2"/>`,
      );
      parts.push(`<text x="${px0 + pw + 40}" y="${py0 + 14 + i * 16}" font-size="11">${escXml(lane)}</text>`);
      // linear reference through the 100 kB point
      const ref = pts.find((p) => p.bytes >= 100_000);
      if (ref && ref.added!.median > 0 && i === 0) {
        const k = ref.added!.median / ref.bytes;
        parts.push(
          `<path d="M${X(10_000).toFixed(1)},${Y(k * 10_000).toFixed(1)} L${X(1_000_000).toFixed(1)},${Y(k * 1_000_000).toFixed(1)}" stroke="#999" stroke-dasharray="4 3" fill="none"/>`,
        );
        parts.push(
          `<text x="${px0 + pw + 15}" y="${py0 + 14 + (curveLanes.length + 1) * 16}" font-size="10" fill="#777">- - linear (slope 1)</text>`,
        );
      }
    });
  }
  const H = top2 + h2;
  return (
    `<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H}" viewBox="0 0 ${W} ${H}" font-family="Helvetica, Arial, sans-serif">` +
    `<rect width="${W}" height="${H}" fill="white"/>${parts.join("")}</svg>\n`
  );
}
