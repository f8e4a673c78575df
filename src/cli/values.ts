/** Typed reads of parsed option values; a value of the wrong form is a usage error naming the option. */
import { type CommandInput, UsageError } from "./command.js";

export function optString(input: CommandInput, name: string): string | undefined {
  const v = input.values[name];
  const last = Array.isArray(v) ? v[v.length - 1] : v;
  return typeof last === "string" ? last : undefined;
}

/** Every value of an option that may be repeated (`--model a --model b`). */
export function optList(input: CommandInput, name: string): string[] | undefined {
  const v = input.values[name];
  if (v === undefined) return undefined;
  return (Array.isArray(v) ? v : [v]).map(String);
}

export function optFlag(input: CommandInput, name: string): boolean {
  return input.values[name] === true;
}

export function optPort(input: CommandInput, name = "port"): number | undefined {
  const v = optString(input, name);
  if (v === undefined) return undefined;
  const n = Number(v);
  if (v.trim() === "" || !Number.isInteger(n) || n < 0 || n > 65535)
    throw new UsageError(`--${name} must be a port number from 0 to 65535, got '${v}'`);
  return n;
}

export function optMs(input: CommandInput, name: string): number | undefined {
  const v = optString(input, name);
  if (v === undefined) return undefined;
  const n = Number(v);
  if (v.trim() === "" || !Number.isFinite(n) || n < 0)
    throw new UsageError(`--${name} must be a number of milliseconds, got '${v}'`);
  return n;
}
