/**
 * `llmux login URL [--key KEY]` and `llmux logout`: a laptop set up in one command. The key (pasted, given, or
 * minted for the person through the browser sign-in) is checked against the remote llmux and kept with its
 * address in llmux's state directory (mode 0600, never printed); from then on every launcher and `llmux env`
 * call that llmux and never start one here.
 */
import { createInterface } from "node:readline";
import { loginFile, readLogin, removeLogin, writeLogin } from "../launch/login-store.js";
import {
  checkRemote,
  endSignin,
  LoginFailed,
  loginUrl,
  mintOwnKey,
  pollDevice,
  startDevice,
  whoIs,
} from "../launch/remote-login.js";
import { type Command, type CommandInput, stringOption, UsageError } from "./command.js";
import { optFlag, optString } from "./values.js";

const say = (line: string) => process.stderr.write(`${line}\n`);

/** A key pasted at the prompt (a terminal only: a script passes --key). */
async function pasted(url: string): Promise<string> {
  if (!process.stdin.isTTY)
    throw new UsageError(
      `no key: pass --key lx-… (stdin is not a terminal to paste one into, and ${url} serves no browser sign-in)`,
      "login",
    );
  const rl = createInterface({ input: process.stdin, output: process.stderr, terminal: true });
  try {
    const answer = await new Promise<string>((resolve) => rl.question("Paste your llmux key (lx-…): ", resolve));
    return answer.trim();
  } finally {
    rl.close();
  }
}

/** The browser sign-in: the address and code printed, polled until approved, then a key of the person's own. */
async function signInWithBrowser(url: string): Promise<string | undefined> {
  const d = await startDevice(url);
  if (!d) return undefined;
  say(`Open ${d.verification_uri_complete ?? d.verification_uri} in your browser and check the code ${d.user_code}.`);
  say("Waiting for the sign-in…");
  const t = await pollDevice(url, d);
  try {
    const key = await mintOwnKey(url, t.access);
    say(`Signed in as ${t.email}; a key of your own was minted for this machine.`);
    return key;
  } finally {
    await endSignin(url, t.refresh);
  }
}

async function login(input: CommandInput): Promise<number> {
  const url = loginUrl(input.args[0]!);
  await checkRemote(url);
  let key = optString(input, "key");
  if (key === undefined && !optFlag(input, "paste")) key = await signInWithBrowser(url);
  key ??= await pasted(url);
  if (!key) throw new UsageError("no key given", "login");
  const who = await whoIs(url, key);
  const file = writeLogin(input.env, { url, key, who, at: new Date().toISOString() });
  process.stdout.write(
    [
      `Logged in to ${url} with ${who}.`,
      `Kept in ${file} (readable by you only). Every launcher (llmux claude, llmux codex, …) and llmux env now`,
      "use it; no llmux is started on this machine. llmux logout forgets it.",
      "",
    ].join("\n"),
  );
  return 0;
}

export const loginCommand: Command = {
  name: "login",
  summary: "Sign in to your team's llmux: launchers and llmux env use it from then on (no local llmux).",
  description: [
    "Without --key: the browser sign-in the llmux serves (its address and a code are printed; a key of your own",
    "is minted within your team's member caps), or, when it serves none, a key pasted at the prompt. The key is",
    "checked against the llmux, kept with its address in llmux's state directory ($LLMUX_STATE_DIR, else",
    "$XDG_STATE_HOME/llmux, else ~/.llmux; the file readable by you only) and never printed. --url, $LLMUX_URL,",
    "--config or --port on a launcher still choose another llmux for that run.",
  ].join("\n"),
  options: {
    key: stringOption("KEY", "Your key (lx-…), as printed by llmux keys create or the web UI's My keys."),
    paste: { type: "boolean", description: "Paste a key at the prompt instead of signing in with the browser." },
  },
  arguments: [{ name: "url", description: "The llmux's address, e.g. https://llm.example.com." }],
  examples: ["llmux login https://llm.example.com", "llmux login https://llm.example.com --key lx-…"],
  run: async (input) => {
    try {
      return await login(input);
    } catch (err) {
      if (!(err instanceof LoginFailed)) throw err;
      say(`llmux login: ${err.message}`);
      return 1;
    }
  },
};

export const logoutCommand: Command = {
  name: "logout",
  summary: "Forget the llmux of llmux login (the key itself stays valid until revoked).",
  run: async (input) => {
    const had = readLogin(input.env) ? removeLogin(input.env) : undefined;
    if (!had) {
      process.stdout.write(`Not logged in (no ${loginFile(input.env)}).\n`);
      return 0;
    }
    process.stdout.write(
      `Logged out of ${had.url}: launchers use a local llmux again. The key (${had.who}) stays valid until revoked (the web UI's My keys, or llmux keys revoke).\n`,
    );
    return 0;
  },
};
