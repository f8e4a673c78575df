/**
 * What a key's answers from a model lately came to, read from the ledger (durable, shared by every instance):
 * the output tokens of its last complete answers, newest first. A request's realistic estimate, and what a
 * request cut by a crash is billed from, rest on it rather than on one process's memory.
 */
import type { Data } from "./data.js";

export async function recentOutputTokens(data: Data, keyId: string, model: string, n = 50): Promise<number[]> {
  const db = await data.db();
  const rows = await db
    .selectFrom("ledger")
    .select("output_tokens")
    .where("key_id", "=", keyId)
    .where("model", "=", model)
    .where("outcome", "=", "ok")
    .where("estimated", "=", 0)
    .orderBy("at", "desc")
    .limit(n)
    .execute();
  return rows.map((r) => Number(r.output_tokens));
}
