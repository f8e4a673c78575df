/**
 * Every `llmux` command, loaded, in the order `llmux help` lists them (the list is command-index.ts).
 */
import type { Command } from "./command.js";
import { loadCommands } from "./command-index.js";

export const COMMANDS: readonly Command[] = await loadCommands();
