/**
 * The llmux a developer signed in to (`llmux login URL`): its address and key, kept in llmux's state directory
 * (`login.json`, mode 0600, the directory 0700). Every launcher and `llmux env` then call it; no llmux is started
 * on the laptop. `llmux logout` removes it.
 */
import { chmodSync, mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { stateDir } from "./state-dir.js";

export interface Login {
  /** The remote llmux, without a trailing slash. */
  url: string;
  /** The key presented there (a minted lx- key); never printed. */
  key: string;
  /** What the key is, in words: `key laptop (key_…) of team data` (shown by the launchers and `llmux login`). */
  who: string;
  /** When it was stored (ISO 8601). */
  at: string;
}

export const loginFile = (env: NodeJS.ProcessEnv): string => join(stateDir(env), "login.json");

/** The stored login, if any (a file that is not one is an error naming it, never silently ignored). */
export function readLogin(env: NodeJS.ProcessEnv): Login | undefined {
  const file = loginFile(env);
  let text: string;
  try {
    text = readFileSync(file, "utf8");
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === "ENOENT") return undefined;
    throw err;
  }
  let v: Partial<Login>;
  try {
    v = JSON.parse(text) as Partial<Login>;
  } catch {
    throw new Error(`${file} is not JSON: run llmux login URL again (or llmux logout)`);
  }
  if (typeof v.url !== "string" || typeof v.key !== "string")
    throw new Error(`${file} has no url and key: run llmux login URL again (or llmux logout)`);
  return {
    url: v.url,
    key: v.key,
    who: typeof v.who === "string" ? v.who : "",
    at: typeof v.at === "string" ? v.at : "",
  };
}

/** Stores a login (replacing one before), readable by its owner only. */
export function writeLogin(env: NodeJS.ProcessEnv, login: Login): string {
  const dir = stateDir(env);
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  const file = loginFile(env);
  // Written fresh (an old file's mode is not kept), then its mode set again: umask cannot widen it.
  rmSync(file, { force: true });
  writeFileSync(file, `${JSON.stringify(login, null, 2)}\n`, { mode: 0o600, flag: "wx" });
  chmodSync(file, 0o600);
  return file;
}

/** Forgets the login; the login it was (undefined: none). */
export function removeLogin(env: NodeJS.ProcessEnv): Login | undefined {
  let had: Login | undefined;
  try {
    had = readLogin(env);
  } catch {
    had = undefined;
  }
  rmSync(loginFile(env), { force: true });
  return had;
}
