import { randomBytes } from "node:crypto";
import { createRequire } from "node:module";
import { tempStorePath } from "./gateway.js";

const require = createRequire(import.meta.url);
const ADMIN_URL = process.env.LLMUX_TEST_PG ?? "postgres://postgres@127.0.0.1:5432/test";

/** Where a test's data lives, and how to throw it away. */
export interface TestLocation {
  engine: "sqlite" | "postgres";
  path: string;
  url?: string | undefined;
  drop(): Promise<void>;
}

async function admin<T>(fn: (c: import("pg").Client) => Promise<T>): Promise<T> {
  const pg = require("pg") as typeof import("pg");
  const c = new pg.Client({ connectionString: ADMIN_URL });
  await c.connect();
  try {
    return await fn(c);
  } finally {
    await c.end();
  }
}

/** A fresh PostgreSQL database for one test file (named with the pid and random bytes), dropped after. */
export async function freshPostgres(): Promise<TestLocation> {
  const name = `llmux_t_${process.pid}_${randomBytes(4).toString("hex")}`;
  await admin((c) => c.query(`create database ${name}`));
  const url = new URL(ADMIN_URL);
  url.pathname = `/${name}`;
  return {
    engine: "postgres",
    path: tempStorePath(),
    url: url.toString(),
    drop: () => admin((c) => c.query(`drop database if exists ${name} with (force)`)).then(() => undefined),
  };
}

export async function freshSqlite(): Promise<TestLocation> {
  return { engine: "sqlite", path: tempStorePath(), drop: async () => undefined };
}

/** Both engines, for `describe.each`. */
export const ENGINES = [
  { engine: "sqlite" as const, fresh: freshSqlite },
  { engine: "postgres" as const, fresh: freshPostgres },
];
