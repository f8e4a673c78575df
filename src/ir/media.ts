import type { MediaSource } from "./types.js";

const DATA_URL = /^data:([^;,]+)?(;[^,]*)?,/;

/** Parses `data:<mime>;base64,<data>` into a base64 source; any other URL stays a URL. */
export function sourceFromUrl(url: string): MediaSource {
  const m = DATA_URL.exec(url);
  if (m?.[2]?.includes("base64")) {
    return { kind: "base64", mediaType: m[1] ?? "application/octet-stream", data: url.slice(m[0].length) };
  }
  return { kind: "url", url };
}

export function sourceToUrl(source: MediaSource): string | undefined {
  switch (source.kind) {
    case "url":
      return source.url;
    case "base64":
      return `data:${source.mediaType};base64,${source.data}`;
    case "text":
      return `data:${source.mediaType};base64,${Buffer.from(source.data, "utf8").toString("base64")}`;
    default:
      return undefined;
  }
}

/** Whether a file id minted by `source`'s provider means anything to `target`'s (OpenAI's dialects share files). */
export function fileIdUsable(source: string, target: string): boolean {
  return source === target || (source !== "anthropic" && target !== "anthropic");
}
