/** The text a streamed Chat Completions answer says: its `data:` chunks' delta contents, joined. */
export function chatSseText(sse: string): string {
  return sse
    .split("\n")
    .filter((l) => l.startsWith("data: {"))
    .map((l) => JSON.parse(l.slice(6)).choices?.[0]?.delta?.content ?? "")
    .join("");
}

/** Reads what is left of a stream, appended to `text`. */
export async function readRest(reader: ReadableStreamDefaultReader<Uint8Array>, text = ""): Promise<string> {
  const decoder = new TextDecoder();
  for (;;) {
    const r = await reader.read();
    if (r.done) return text;
    text += decoder.decode(r.value, { stream: true });
  }
}
