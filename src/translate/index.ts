export { codecs, type DialectCodec, type RequestOptions } from "./codecs.js";
export { isErrorInfo, ResponseCollector } from "./collect.js";
export { responseEvents } from "./replay.js";
export { StreamTranslator, type StreamTranslatorOptions } from "./stream-translator.js";
export type * from "./types.js";
