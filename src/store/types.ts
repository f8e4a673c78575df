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

/**
 * Stored Responses, each owned by the caller that created it (`Principal.owner`): every read and write
 * names the owner, and another owner's records do not exist for it.
 */
export interface ResponseStore {
  put(owner: string, record: StoredResponse): Promise<void>;
  get(owner: string, id: string): Promise<StoredResponse | undefined>;
  delete(owner: string, id: string): Promise<boolean>;
  /** An item stored under its id by this owner (for item_reference and id-only items). */
  item(owner: string, id: string): Promise<JsonObject | undefined>;
  /** Removes responses (and owner claims) older than `before` (unix seconds); returns how many responses. */
  prune(before: number): Promise<number>;
  /**
   * Claims ids an upstream keeps (a passed-through Responses answer and its output items) for `owner`; an id
   * already claimed stays its first owner's. `createdAt` in unix seconds.
   */
  claim(owner: string, ids: readonly string[], createdAt: number): Promise<void>;
  /** The owners of the ids claimed so far (ids nobody claimed are absent). */
  owners(ids: readonly string[]): Promise<Map<string, string>>;
}

/** Key → value with an expiry; the least recently used entries go first when the table is full. */
export interface KeyValueCache {
  get(key: string): Promise<string | undefined>;
  put(key: string, value: string): Promise<void>;
  /** The values of many keys at once, in a few queries however many keys (absent and expired keys are left out). */
  getMany(keys: readonly string[]): Promise<Map<string, string>>;
  /** Keeps many entries at once, in a few writes however many entries. */
  putMany(entries: ReadonlyMap<string, string>): Promise<void>;
}

/** What llmux keeps between requests. The embedded default is an SQLite file. */
export interface Store {
  readonly responses: ResponseStore;
  readonly reasoning: KeyValueCache;
  /** The envelope secret kept with the store (generated once, shared by every instance). */
  secret(): Promise<string>;
  close(): Promise<void>;
}
