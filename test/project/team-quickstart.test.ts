/**
 * docs/teams.md's "A team in 10 minutes", followed verbatim: its `sh` blocks, read from the page, run in bash
 * as a reader runs them — the first terminal one shell session (its `cd` and variables carry from block to
 * block), the block marked "In a second terminal" in a shell of its own, in the background. A home of its own,
 * `llmux` on PATH (a shim running the built dist/bundle/llmux.js), and the port chosen here given only as `$PORT`,
 * which the page itself uses (`${PORT:-4000}`). Editing a command on the page changes what runs here.
 */
import { type ChildProcess, spawn } from "node:child_process";
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { BIN, ROOT } from "../support/built.js";
import { freePort } from "../support/free-port.js";
import { within } from "../support/team.js";

const SECTION = "## A team in 10 minutes";
const SECOND = /^# In a second terminal/;

/** The section's `sh` blocks, in the page's order, exactly as written. */
function blocks(): string[] {
  const doc = readFileSync(join(ROOT, "docs/teams.md"), "utf8");
  const start = doc.indexOf(`\n${SECTION}\n`);
  if (start < 0) throw new Error(`docs/teams.md has no section '${SECTION}'`);
  const end = doc.indexOf("\n## ", start + 1);
  return [...doc.slice(start, end).matchAll(/```sh\n([\s\S]*?)```/g)].map((m) => m[1]!);
}

/** A shell session fed one block at a time (each read from a file, stdin /dev/null), as a terminal runs them. */
class Terminal {
  private out = "";
  private n = 0;
  readonly child: ChildProcess;
  constructor(
    private readonly scripts: string,
    cwd: string,
    env: Record<string, string>,
  ) {
    this.child = spawn("bash", ["--norc", "--noprofile"], { cwd, env, stdio: ["pipe", "pipe", "pipe"] });
    this.child.stdout!.on("data", (b: Buffer) => {
      this.out += b.toString();
    });
    this.child.stderr!.on("data", (b: Buffer) => {
      this.out += b.toString();
    });
    // Any command that fails says so (a reader would see its error); a pipeline fails with its first failure.
    this.child.stdin!.write("exec 2>&1; set -o pipefail; trap 'echo \"__FAILED__: $BASH_COMMAND\"' ERR\n");
  }

  /** Runs a block; resolves with what it printed and its status (its last command's). */
  async run(block: string): Promise<{ out: string; status: number }> {
    const n = ++this.n;
    const file = join(this.scripts, `block-${n}.sh`);
    writeFileSync(file, block);
    const from = this.out.length;
    this.child.stdin!.write(`source ${file} </dev/null; printf '\\n__END_${n}__ %d\\n' $?\n`);
    const end = new RegExp(`\\n__END_${n}__ (\\d+)\\n`);
    const done = await within(120_000, async () => end.test(this.out.slice(from)));
    const text = this.out.slice(from);
    if (!done) throw new Error(`block ${n} did not end:\n${block}\n--- printed:\n${text}`);
    const m = end.exec(text)!;
    return { out: text.slice(0, m.index), status: Number(m[1]) };
  }

  close(): void {
    this.child.stdin!.end("exit\n");
  }
}

describe("docs/teams.md: a team in 10 minutes, as written", { timeout: 240_000 }, () => {
  const all = blocks();
  const first = all.filter((b) => !SECOND.test(b));
  const second = all.find((b) => SECOND.test(b));
  let dir: string;
  let home: string;
  let port: number;
  let term: Terminal;
  let server: ChildProcess | undefined;
  let serverOut = "";
  let startServer: () => void;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), "llmux-quickstart-"));
    home = join(dir, "home");
    const bin = join(dir, "bin");
    mkdirSync(home);
    mkdirSync(bin);
    mkdirSync(join(dir, "scripts"));
    writeFileSync(join(bin, "llmux"), `#!/bin/sh\nexec "${process.execPath}" "${BIN}" "$@"\n`);
    chmodSync(join(bin, "llmux"), 0o755);
    port = await freePort();
    const env = { HOME: home, PATH: `${bin}:${process.env.PATH ?? ""}`, LANG: "C.UTF-8" };
    term = new Terminal(join(dir, "scripts"), home, { ...env, PORT: String(port) });
    // The second terminal: a new shell in the home folder, without the first one's variables.
    startServer = () => {
      server = spawn("bash", ["--norc", "--noprofile", "-c", second!], {
        cwd: home,
        env,
        detached: true,
        stdio: ["ignore", "pipe", "pipe"],
      });
      server.stdout!.on("data", (b: Buffer) => {
        serverOut += b.toString();
      });
      server.stderr!.on("data", (b: Buffer) => {
        serverOut += b.toString();
      });
    };
  });

  afterAll(async () => {
    term?.close();
    if (server?.pid && server.exitCode === null) {
      const gone = new Promise((r) => server!.once("exit", r));
      process.kill(-server.pid, "SIGINT"); // Ctrl-C
      await gone;
    }
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  const adminKey = () => /LLMUX_ADMIN_KEY=(\S+)/.exec(readFileSync(join(home, "llmux-team/.env"), "utf8"))![1]!;
  const url = () => `http://localhost:${port}`;
  /** Runs the next first-terminal block, which must succeed with no command failing. */
  let next = 0;
  async function step(): Promise<string> {
    const block = first[next++]!;
    const { out, status } = await term.run(block);
    expect(out, block).not.toContain("__FAILED__");
    expect(status, `${block}\n--- printed:\n${out}`).toBe(0);
    return out;
  }

  it("the section is runnable: its blocks, one for a second terminal, no placeholders", () => {
    expect(first.length).toBe(6);
    expect(second).toBeDefined();
    for (const b of all) expect(b).not.toContain("…");
  });

  it("writes the configuration and its secrets (readable by the reader only)", async () => {
    await step();
    const folder = join(home, "llmux-team");
    expect(readFileSync(join(folder, "llmux.yaml"), "utf8")).toContain("type: mock");
    expect(statSync(join(folder, ".env")).mode & 0o777).toBe(0o600);
    expect(readFileSync(join(folder, ".env"), "utf8")).toContain(`LLMUX_URL=${url()}`);
  });

  it("creates the team, its member caps and two members' keys on the store", async () => {
    const out = await step();
    expect(out).toMatch(/^name\s+platform$/m);
    expect(out).toMatch(/^budget_usd\s+20$/m);
    expect(out).toMatch(/^alice-laptop\s+key_\w+\s+platform\s+alice\s+active\s/m);
    expect(out).toMatch(/^bob-laptop\s+key_\w+\s+platform\s+bob\s+active\s/m);
    const keys = await term.run(`printf '%s %s\\n' "$ALICE_KEY" "$BOB_KEY"`);
    expect(keys.out.trim()).toMatch(/^lx-[\w-]{43} lx-[\w-]{43}$/);
  });

  it("starts llmux in the second terminal, closed to all but minted keys", async () => {
    startServer();
    const up = await within(90_000, async () => {
      if (server!.exitCode !== null) return true;
      return fetch(`${url()}/health`).then(
        (r) => r.ok,
        () => false,
      );
    });
    expect(up && server!.exitCode === null, serverOut).toBe(true);
    // Its log reaches the pipe a moment after it answers.
    await within(30_000, async () => serverOut.includes("access:"));
    expect(serverOut).toContain("access: minted keys only");
  });

  it("each member's first request is answered with their own key; Bob's other model and no key are refused", async () => {
    const out = await step();
    const lines = out.trim().split("\n");
    expect(lines).toEqual([
      'llmux mock: you said "Hello from Alice"',
      'llmux mock: you said "Hello from Bob"',
      expect.stringMatching(/^The model 'gpt-5' is not allowed for this API key\. Allowed: claude-\*/),
      expect.stringMatching(/^No API key: send your llmux key/),
    ]);
  });

  it("shows the spend of both members", async () => {
    // The ledger's rows reach the database in batches (a fraction of a second): a reader types slower.
    const rows = async () => {
      const res = await fetch(`${url()}/admin/v1/spend?group_by=user`, {
        headers: { authorization: `Bearer ${adminKey()}` },
      });
      return ((await res.json()) as { rows: { group: string }[] }).rows.map((r) => r.group).sort();
    };
    expect(await within(30_000, async () => (await rows()).join() === "alice,bob")).toBe(true);
    const out = await step();
    expect(out).toMatch(/^alice\s+1\s+0\s+\d+\s+\d+\s/m);
    expect(out).toMatch(/^bob\s+1\s+1\s+\d+\s+\d+\s/m);
    expect(out).toMatch(/^alice-laptop\s.*\$0\.000\d+ of \$20\.00\/month/m);
  });

  it("a key past its budget is refused, naming the budget; the update shows it blocked", async () => {
    const out = await step();
    expect(out).toMatch(/^state\s+blocked: budget$/m);
    expect(out).toMatch(
      /^Budget exhausted: this API key has spent \$0\.000\d+ of its monthly budget of \$0\.0001; it resets at \S+\. /m,
    );
    expect(out).toMatch(/^spend\s+\$0\.000\d+ of \$10\.00\/month$/m);
  });

  it("says where the web UI is, and it is there", async () => {
    const out = await step();
    expect(out.trim()).toBe(`Open ${url()}/ui and sign in with the admin key: ${adminKey()}`);
    const ui = await fetch(`${url()}/ui`);
    expect(ui.status).toBe(200);
    expect(ui.headers.get("content-type")).toContain("text/html");
    expect(next).toBe(first.length);
    expect(existsSync(join(home, "llmux-team/llmux.db"))).toBe(true);
  });
});
