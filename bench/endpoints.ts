/**
 * Where the bench finds PostgreSQL and Redis: `--pg URL` / `--redis URL` (options.ts, which set
 * LLMUX_BENCH_PG / LLMUX_BENCH_REDIS for this process and its children), else those variables, else the local
 * defaults. Read when used, never when a module loads, so that the options apply everywhere.
 */
export const DEFAULT_PG = "postgres://postgres@127.0.0.1:5432/test";
export const DEFAULT_REDIS = "redis://127.0.0.1:6379";

export function benchPgUrl(): string {
  return process.env.LLMUX_BENCH_PG || DEFAULT_PG;
}

export function benchRedisUrl(): string {
  return process.env.LLMUX_BENCH_REDIS || DEFAULT_REDIS;
}
