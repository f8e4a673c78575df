/**
 * The text of an event stream as its reader reassembles it: each string member of the events' JSON,
 * concatenated across events by its place (`delta.text`, `choices.0.delta.content`…). A secret an upstream
 * (or a model) split across deltas is whole again here, where a redaction of the raw bytes cannot see it.
 */
export function reassembled(sse: string): string[] {
  const byPlace = new Map<string, string[]>();
  const walk = (v: unknown, place: string) => {
    if (typeof v === "string") {
      const list = byPlace.get(place);
      if (list) list.push(v);
      else byPlace.set(place, [v]);
    } else if (Array.isArray(v)) {
      for (let i = 0; i < v.length; i++) walk(v[i], `${place}.${i}`);
    } else if (v !== null && typeof v === "object") for (const [k, x] of Object.entries(v)) walk(x, `${place}.${k}`);
  };
  for (const line of sse.split("\n")) {
    if (!line.startsWith("data:")) continue;
    const data = line.slice(5).trim();
    if (!data.startsWith("{") && !data.startsWith("[")) continue;
    try {
      walk(JSON.parse(data), "");
    } catch {
      // not JSON: nothing reassembles from it
    }
  }
  return [...byPlace.values()].filter((l) => l.length > 1).map((l) => l.join(""));
}

/** Whether an already redacted event stream still carries a secret once its deltas are put back together. */
export function secretAcrossEvents(sse: string, redact: (text: string) => string): boolean {
  return reassembled(sse).some((text) => redact(text) !== text);
}

/** What stands for a stream body that carried a secret split across its events. */
export const SPLIT_SECRET_NOTE =
  "[REDACTED: this event stream carried a secret split across its events; it is not kept]";
