import { parse } from "node-html-parser";

/** Elements whose content is never a page's text. */
const HIDDEN = "head,script,style,noscript,template,svg,math,iframe,object,embed,canvas,select,button";

/**
 * A page's HTML as text, and its title (`<title>`, else `og:title`, else the first `<h1>`): block elements
 * on lines of their own, scripts, styles and the like dropped, character references decoded (node-html-parser:
 * a small, maintained, forgiving parser with no native parts).
 */
export function htmlToText(html: string): { title?: string; text: string } {
  const root = parse(html.replace(/^\s*<!doctype[^>]*>/i, ""), {
    comment: false,
    blockTextElements: { script: false, style: false, noscript: false, pre: true },
  });
  const title =
    root.querySelector("title")?.text.trim() ||
    root.querySelector('meta[property="og:title"]')?.getAttribute("content")?.trim() ||
    root.querySelector("h1")?.text.trim() ||
    undefined;
  for (const n of root.querySelectorAll(HIDDEN)) n.remove();
  const text = root.structuredText
    .replace(/[ \t\f\v\u00a0]+/g, " ")
    .replace(/ *\n */g, "\n")
    .replace(/\n{3,}/g, "\n\n")
    .trim();
  return { ...(title ? { title: title.replace(/\s+/g, " ").slice(0, 500) } : {}), text };
}
