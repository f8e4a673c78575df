/**
 * Every relative link of the README and docs/ leads somewhere: the file exists and, when the link names a
 * section (`file.md#section`), the file has a heading with that anchor (GitHub's: lower case, punctuation
 * dropped, spaces as hyphens). Code blocks are left out.
 */
import { existsSync, readdirSync, readFileSync, statSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { describe, expect, it } from "vitest";

const ROOT = join(import.meta.dirname, "../..");

function markdown(dir: string, out: string[] = []): string[] {
  for (const name of readdirSync(join(ROOT, dir))) {
    const p = join(dir, name);
    if (statSync(join(ROOT, p)).isDirectory()) markdown(p, out);
    else if (name.endsWith(".md")) out.push(p);
  }
  return out;
}

const FILES = ["README.md", ...markdown("docs")];
const prose = (file: string) => readFileSync(file, "utf8").replace(/```[\s\S]*?```/g, "");
const slug = (h: string) =>
  h
    .toLowerCase()
    .replace(/[^a-z0-9 _-]/g, "")
    .replace(/ /g, "-");
const anchors = (file: string) => new Set([...prose(file).matchAll(/^#{1,6} (.+)$/gm)].map((m) => slug(m[1]!)));

describe("links in the README and docs/", () => {
  it("finds the documents and their links (sanity check)", () => {
    expect(FILES).toContain("docs/observability.md");
    expect(FILES.length).toBeGreaterThan(10);
    expect(anchors(join(ROOT, "docs/observability.md"))).toContain("llmux-logs");
  });

  it.each(FILES)("%s: every relative link names an existing file and section", (file) => {
    const broken: string[] = [];
    for (const m of prose(join(ROOT, file)).matchAll(/\]\(([^)\s]+)\)/g)) {
      const href = m[1]!;
      if (/^[a-z]+:/i.test(href)) continue;
      const [path, anchor] = href.split("#");
      const target = path ? resolve(ROOT, dirname(file), path) : join(ROOT, file);
      if (!existsSync(target)) broken.push(`${href} (no such file)`);
      else if (anchor && target.endsWith(".md") && !anchors(target).has(anchor))
        broken.push(`${href} (no such section)`);
    }
    expect(broken).toEqual([]);
  });
});
