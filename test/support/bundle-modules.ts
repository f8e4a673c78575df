/**
 * Reading back what a process of the built command loaded as modules. The command is shipped bundled
 * (scripts/serve-bundle.mjs): llmux's own modules, and the packages bundled with them, are loaded as a few files
 * of dist/bundle, and dist/bundle/modules.json lists the modules each file holds. A loaded file of the bundle
 * stands for those modules, named by their file URLs as Node would have loaded them one by one.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { DIST, ROOT } from "./built.js";

const BUNDLE_URL = pathToFileURL(join(DIST, "bundle")).href;

/** The modules each file of the bundle holds (file URLs), by the file's URL. */
function manifest(): Map<string, string[]> {
  const list = JSON.parse(readFileSync(join(DIST, "bundle", "modules.json"), "utf8")) as Record<string, string[]>;
  return new Map(
    Object.entries(list).map(([file, ids]) => [
      `${BUNDLE_URL}/${file}`,
      ids.map((id) => pathToFileURL(join(ROOT, id)).href),
    ]),
  );
}

/** Whether a URL names a file of the bundle. */
export function inBundle(url: string): boolean {
  return url.startsWith(`${BUNDLE_URL}/`);
}

/**
 * The modules behind loaded URLs: each file of the bundle is replaced by the modules it holds; any other URL
 * (a package's module loaded from node_modules, one of Node's) stands as it is. A file of the bundle that the
 * list does not know is an error: the bundle was made again after the process started.
 */
export function unbundle(urls: readonly string[]): string[] {
  const files = manifest();
  return urls.flatMap((url) => {
    if (!inBundle(url)) return [url];
    const held = files.get(url);
    if (!held) throw new Error(`${url} is not in dist/bundle/modules.json`);
    return held;
  });
}
