import hljs from "highlight.js/lib/core";
import json from "highlight.js/lib/languages/json";
import { useState } from "react";
import { pretty } from "../lib/format";

hljs.registerLanguage("json", json);

/** JSON text, indented and highlighted (highlight.js escapes it; nothing in it is run). */
export function JsonCode({ text, label }: { text: string; label?: string }) {
  const shown = pretty(text);
  const html = hljs.highlight(shown, { language: "json", ignoreIllegals: true }).value;
  return (
    <pre className="code" title={label}>
      {/* biome-ignore lint/security/noDangerouslySetInnerHtml: highlight.js output is escaped text in spans */}
      <code className="hljs language-json" dangerouslySetInnerHTML={{ __html: html }} />
    </pre>
  );
}

/** Long text cut to a first part, with a button to show all of it. */
export function Clipped({ text, limit = 4000, json: isJson }: { text: string; limit?: number; json?: boolean }) {
  const [all, setAll] = useState(false);
  const cut = !all && text.length > limit;
  const shown = cut ? text.slice(0, limit) : text;
  return (
    <>
      {isJson && !cut ? <JsonCode text={shown} /> : <pre className="code">{shown}</pre>}
      {cut && (
        <button type="button" className="link" onClick={() => setAll(true)}>
          Show all {text.length.toLocaleString()} characters
        </button>
      )}
    </>
  );
}
