export type * from "../dialects/types.js";
export { isErrorInfo, ResponseCollector } from "../ir/collect.js";
export { codecs, type DialectCodec, type RequestOptions } from "./codecs.js";
export { responseEvents } from "./replay.js";
export { StreamTranslator, type StreamTranslatorOptions } from "./stream-translator.js";
