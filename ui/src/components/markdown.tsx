import Markdown from "react-markdown";
import rehypeHighlight from "rehype-highlight";
import remarkGfm from "remark-gfm";

/**
 * Past this many characters a text is shown as plain text: parsing Markdown is not linear in every input (a
 * pathological prompt of 0.7 MB held the page for a minute), and a text that long is read as text anyway.
 */
export const MARKDOWN_MAX_CHARS = 50_000;

/**
 * Message text as Markdown (GitHub flavour: tables, task lists), fenced code highlighted. Raw HTML in the
 * text is shown as text, never run; links open elsewhere and images are not fetched. A text longer than
 * MARKDOWN_MAX_CHARS is shown as plain text, saying so.
 */
export function MarkdownText({ text }: { text: string }) {
  if (text.length > MARKDOWN_MAX_CHARS)
    return (
      <div className="md md-plain">
        <p className="muted">
          Shown as plain text: {text.length.toLocaleString("en")} characters, more than Markdown is rendered for (
          {MARKDOWN_MAX_CHARS.toLocaleString("en")}).
        </p>
        <pre className="plain-text">{text}</pre>
      </div>
    );
  return (
    <div className="md">
      <Markdown
        remarkPlugins={[remarkGfm]}
        rehypePlugins={[[rehypeHighlight, { detect: false, ignoreMissing: true }]]}
        components={{
          a: ({ href, children }) => (
            <a href={href} target="_blank" rel="noreferrer noopener">
              {children}
            </a>
          ),
          img: ({ src, alt }) => (
            <span className="muted">
              [image {alt ? `“${alt}” ` : ""}
              {typeof src === "string" ? src.slice(0, 120) : ""}]
            </span>
          ),
        }}
      >
        {text}
      </Markdown>
    </div>
  );
}
