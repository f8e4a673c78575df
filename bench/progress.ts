/** The progress lines the benchmark prints while it runs, and the small helpers its phases share. */

export const started = Date.now();

export function log(s: string): void {
  const t = ((Date.now() - started) / 1000).toFixed(0).padStart(4);
  console.log(`[bench ${t}s] ${s}`);
}

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
export const fx = (v: number | undefined, d = 2) => (v === undefined || !Number.isFinite(v) ? "–" : v.toFixed(d));
