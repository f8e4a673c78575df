/**
 * llmux as a library: the canonical IR, the dialect codecs, the per-request stream translator, and the
 * gateway itself.
 */

export { ConfigError, loadConfigFile, parseConfig } from "./config/load.js";
export type { Config } from "./config/schema.js";
export type * from "./dialects/types.js";
export { InputError } from "./ir/input-error.js";
export * from "./ir/types.js";
export type { MockBlock, MockScript } from "./mock/index.js";
export { type MockServer, type MockTurn, startMockServer } from "./mock/server.js";
export { Gateway } from "./server/gateway.js";
export { parseSseText, type SseEvent, SseParser } from "./sse/parser.js";
export { sseData, sseEvent } from "./sse/serialize.js";
export {
  codecs,
  type DialectCodec,
  isErrorInfo,
  type RequestOptions,
  ResponseCollector,
  responseEvents,
  StreamTranslator,
  type StreamTranslatorOptions,
} from "./translate/index.js";
