/**
 * Variables (and, for tools configured by arguments, a wrapper function) written for a shell to evaluate:
 * POSIX sh (bash, zsh, dash), fish, or PowerShell. Values are quoted so that the shell takes them literally.
 */

export type Shell = "sh" | "fish" | "powershell";
export const SHELLS: readonly Shell[] = ["sh", "fish", "powershell"];

function quote(shell: Shell, value: string): string {
  switch (shell) {
    case "sh":
      return `'${value.replace(/'/g, `'\\''`)}'`;
    case "fish":
      return `'${value.replace(/\\/g, "\\\\").replace(/'/g, "\\'")}'`;
    case "powershell":
      return `'${value.replace(/'/g, "''")}'`;
  }
}

export function exportLine(shell: Shell, name: string, value: string): string {
  switch (shell) {
    case "sh":
      return `export ${name}=${quote(shell, value)}`;
    case "fish":
      return `set -gx ${name} ${quote(shell, value)}`;
    case "powershell":
      return `$env:${name} = ${quote(shell, value)}`;
  }
}

export function unsetLine(shell: Shell, name: string): string {
  switch (shell) {
    case "sh":
      return `unset ${name}`;
    case "fish":
      return `set -e ${name}`;
    case "powershell":
      return `Remove-Item Env:${name} -ErrorAction SilentlyContinue`;
  }
}

/** A function named `name` that runs the program `name` with `args` before the caller's own. */
export function wrapperLine(shell: Shell, name: string, args: readonly string[]): string {
  const quoted = args.map((a) => quote(shell, a)).join(" ");
  switch (shell) {
    case "sh":
      return `${name}() { command ${name} ${quoted} "$@"; }`;
    case "fish":
      return `function ${name}; command ${name} ${quoted} $argv; end`;
    case "powershell":
      return `function ${name} { & (Get-Command ${name} -CommandType Application | Select-Object -First 1).Source ${quoted} @args }`;
  }
}

export function commentLine(text: string): string {
  return `# ${text}`;
}
