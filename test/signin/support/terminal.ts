import { execFile } from "node:child_process";
import { promisify } from "node:util";

const run = promisify(execFile);

/**
 * A program in a tmux session of its own (its own server socket, so nothing else's sessions are touched):
 * keys sent with send-keys, the screen read with capture-pane.
 */
export class Terminal {
  private constructor(readonly socket: string) {}

  static async start(command: string, opts: { width?: number; height?: number } = {}): Promise<Terminal> {
    const t = new Terminal(`llmux-signin-${process.pid}-${Date.now()}`);
    await run("tmux", [
      "-L",
      t.socket,
      "new-session",
      "-d",
      "-s",
      "main",
      "-x",
      String(opts.width ?? 200),
      "-y",
      String(opts.height ?? 50),
      command,
    ]);
    return t;
  }

  async screen(): Promise<string> {
    const { stdout } = await run("tmux", ["-L", this.socket, "capture-pane", "-p", "-J", "-t", "main"]);
    return stdout;
  }

  async keys(...keys: string[]): Promise<void> {
    for (const k of keys) {
      await run("tmux", ["-L", this.socket, "send-keys", "-t", "main", k]);
      await new Promise((r) => setTimeout(r, 300));
    }
  }

  /** Types text literally, then presses Enter. */
  async type(text: string): Promise<void> {
    await run("tmux", ["-L", this.socket, "send-keys", "-t", "main", "-l", text]);
    await new Promise((r) => setTimeout(r, 500));
    await this.keys("Enter");
  }

  /** Waits until the screen matches; throws with the last screen when it does not in time. */
  async waitFor(pattern: RegExp, timeoutMs = 30_000): Promise<RegExpMatchArray> {
    const end = Date.now() + timeoutMs;
    let last = "";
    for (;;) {
      last = await this.screen();
      const m = last.match(pattern);
      if (m) return m;
      if (Date.now() > end) throw new Error(`the terminal never showed ${pattern}; it shows:\n${last}`);
      await new Promise((r) => setTimeout(r, 250));
    }
  }

  /** Waits until the screen no longer matches (a screen that was cleared, a program that went away). */
  async waitGone(pattern: RegExp, timeoutMs = 30_000): Promise<void> {
    const end = Date.now() + timeoutMs;
    for (;;) {
      const screen = await this.screen();
      if (!pattern.test(screen)) return;
      if (Date.now() > end) throw new Error(`the terminal still shows ${pattern}:\n${screen}`);
      await new Promise((r) => setTimeout(r, 250));
    }
  }

  async close(): Promise<void> {
    await run("tmux", ["-L", this.socket, "kill-server"]).catch(() => undefined);
  }
}
