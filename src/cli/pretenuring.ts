/**
 * V8's allocation-site pretenuring turned off for the `llmux` command (issue 45, CPU per request).
 *
 * V8 watches how many objects of each allocation site (an object or array literal in hot code) survive a young
 * collection, and once nearly all do, it allocates that site's objects in the old generation from then on. A
 * gateway's request objects live a few milliseconds, but under load some are alive at a scavenge (the request is
 * in flight): their sites look long-lived and are pretenured. Their objects then die in the old generation, where
 * only a full collection finds them dead, and until it does every young object they point to survives each
 * scavenge, is copied and then promoted: the next request's objects look long-lived in turn. Measured on the small
 * Chat passthrough (c = 16, 20,000 requests): about 3 MB survived each scavenge (1.5 MB of it promoted), a
 * scavenge took 4–5 ms on the main thread and as long again on V8's helper threads, and a full collection came
 * every second or so to free what was promoted; with pretenuring off, 0.7 MB survived (0.2 MB at one
 * connection), a scavenge took 2.7 ms and 1.9 ms more on the helpers, and CPU per small request fell by 5–15 %
 * (bench/findings.md).
 *
 * Imported for its effect by the command's entry (main.ts), as early as the young generation's hold: V8 reads
 * the flag at each collection, and flags are process-wide (worker threads included). A node option naming it
 * (`node --allocation-site-pretenuring …/llmux start` has V8's default back; node refuses V8 options in
 * NODE_OPTIONS) is left as the user set it. llmux used as a library changes nothing of its host's.
 */
import { setFlagsFromString } from "node:v8";

const FLAG = /^--(?:no[-_])?allocation[-_]site[-_]pretenuring(?:=|$)/;

/** Whether the user set the flag (a node option on the command line, either way): theirs is kept. */
function userSetsPretenuring(execArgv: readonly string[]): boolean {
  return execArgv.some((a) => FLAG.test(a));
}

if (!userSetsPretenuring(process.execArgv)) setFlagsFromString("--no-allocation-site-pretenuring");
