import { createRequire } from "node:module";

type IoRedis = typeof import("ioredis");

let loaded: IoRedis["Redis"] | undefined;

/** ioredis's client class, loaded the first time a Redis is used (a gateway without Redis does not carry it). */
export function redisClient(): IoRedis["Redis"] {
  loaded ??= (createRequire(import.meta.url)("ioredis") as IoRedis).Redis;
  return loaded;
}
