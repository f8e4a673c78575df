import Markdown from "react-markdown";
import rehypeHighlight from "rehype-highlight";
import remarkGfm from "remark-gfm";

/**
 * Message text as Markdown (GitHub flavour: tables, task lists), fenced code highlighted. Raw HTML in the
 * text is shown as text, never run; links open elsewhere and images are not fetched.
 */
export function MarkdownText({ text }: { text: string }) {
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
