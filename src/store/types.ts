import type { JsonObject } from "../ir/types.js";

/** A stored Responses response: what the client sent and what it got back. */
export interface StoredResponse {
  id: string;
  previousId?: string | undefined;
  /** Unix seconds. */
  createdAt: number;
  /** The request's input items, as the client sent them (Responses JSON). */
  input: JsonObject[];
  /** The Response object the client received. */
  response: JsonObject;
}

export interface ResponseStore {
  put(record: StoredResponse): void;
  get(id: string): StoredResponse | undefined;
  delete(id: string): boolean;
  /** An output or input item stored under its id (for `item_reference`s and id-only items). */
  item(id: string): JsonObject | undefined;
  /** Removes responses older than `before` (unix seconds). */
  prune(before: number): number;
}

/** Key → value with an expiry; the least recently used entries go first when the table is full. */
export interface KeyValueCache {
  get(key: string): string | undefined;
  put(key: string, value: string): void;
}

/** What llmux keeps between requests. The embedded default is an SQLite file. */
export interface Store {
  readonly responses: ResponseStore;
  readonly reasoning: KeyValueCache;
  /** The envelope secret kept with the store (generated on first use). */
  secret(): string;
  close(): void;
}
