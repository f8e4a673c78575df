/**
 * Every `llmux` command, in the order `llmux help` lists them. A command lives in its own file and declares its
 * options and help there (see command.ts); adding one is one import and one line here.
 */
import type { Command } from "./command.js";
import { mockCommand } from "./mock.js";
import { schemaCommand } from "./schema.js";
import { startCommand } from "./start.js";

export const COMMANDS: readonly Command[] = [startCommand, mockCommand, schemaCommand];
