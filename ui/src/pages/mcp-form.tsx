import { useState } from "react";
import { type EntryFormProps, SaveForm } from "../components/form-save";
import type { McpServerSettings } from "../lib/types";

/** `NAME=VALUE` lines (headers: `Name: value`) as a record; a line without its separator is a mistake, named. */
export function readPairs(text: string, sep: "=" | ":", what: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const raw of text.split("\n")) {
    const line = raw.trim();
    if (!line) continue;
    const at = line.indexOf(sep);
    // The line may hold a secret: the message names only what is before the separator, if anything.
    if (at < 1) throw new Error(`${what}: each line is NAME${sep === "=" ? "=" : ": "}VALUE`);
    out[line.slice(0, at).trim()] = line.slice(at + 1).trim();
  }
  return out;
}

const globs = (v: FormDataEntryValue | null) =>
  String(v ?? "")
    .split(",")
    .map((s) => s.trim())
    .filter(Boolean);

/**
 * Adding or changing an MCP server: its transport and target, which tools are offered, and its secrets (env for
 * a command, headers for a URL). Stored secrets are shown by name only; new values are typed in, a stored one can
 * be removed, and a value is never shown again.
 */
export function McpServerForm({ existing, onSubmit, onCancel }: EntryFormProps<McpServerSettings>) {
  const [transport, setTransport] = useState(existing?.transport ?? "stdio");
  const stdio = transport === "stdio";
  const stored = existing ? Object.keys(stdio ? existing.env : existing.headers) : [];

  async function submit(form: FormData) {
    const secrets: Record<string, string | null> = readPairs(
      String(form.get("secrets") ?? ""),
      stdio ? "=" : ":",
      stdio ? "Environment" : "Headers",
    );
    for (const name of form.getAll("remove")) secrets[String(name)] = null;
    const allow = globs(form.get("allow"));
    const body: Record<string, unknown> = {
      transport,
      tools: {
        allow: allow.length ? allow : undefined,
        deny: globs(form.get("deny")),
        approval: globs(form.get("approval")),
      },
      own_credential: String(form.get("own_credential")),
      own_credential_fields: globs(form.get("own_credential_fields")),
    };
    if (!existing) body.name = String(form.get("name") ?? "").trim();
    if (stdio) {
      body.command = String(form.get("command") ?? "").trim();
      body.args = String(form.get("args") ?? "")
        .split("\n")
        .map((a) => a.trim())
        .filter(Boolean);
    } else body.url = String(form.get("url") ?? "").trim();
    if (Object.keys(secrets).length > 0 || !existing) body[stdio ? "env" : "headers"] = secrets;
    await onSubmit(body);
  }

  return (
    <SaveForm label="MCP server" submit={existing ? "Save" : "Add server"} onSubmit={submit} onCancel={onCancel}>
      {!existing && (
        <label>
          Name
          <input name="name" required maxLength={100} pattern="[A-Za-z0-9][A-Za-z0-9\-]*(_[A-Za-z0-9\-]+)*" />
          <span className="hint">Letters, digits, - and single _: its tools are called name__tool.</span>
        </label>
      )}
      <label>
        Transport
        <select name="transport" value={transport} onChange={(e) => setTransport(e.target.value as typeof transport)}>
          <option value="stdio">stdio: a command llmux runs</option>
          <option value="http">Streamable HTTP: a URL</option>
          <option value="sse">SSE (older HTTP transport): a URL</option>
        </select>
      </label>
      {stdio ? (
        <>
          <label>
            Command
            <input name="command" required defaultValue={existing?.command ?? ""} />
          </label>
          <label>
            Arguments (one per line)
            <textarea name="args" rows={3} defaultValue={(existing?.args ?? []).join("\n")} />
          </label>
        </>
      ) : (
        <label>
          URL
          <input name="url" type="url" required defaultValue={existing?.url ?? ""} />
        </label>
      )}
      {stored.length > 0 && (
        <fieldset>
          <legend>Stored {stdio ? "environment values" : "headers"} (encrypted; values are never shown)</legend>
          {stored.map((name) => (
            <label key={name} className="inline">
              <input type="checkbox" name="remove" value={name} /> Remove <code>{name}</code>
            </label>
          ))}
        </fieldset>
      )}
      <label>
        {stdio ? "Environment (NAME=VALUE per line)" : "Headers (Name: value per line)"}
        <textarea
          name="secrets"
          rows={3}
          autoComplete="off"
          spellCheck={false}
          placeholder={stdio ? "GITHUB_PERSONAL_ACCESS_TOKEN=…" : "Authorization: Bearer …"}
        />
        <span className="hint">
          Stored encrypted{existing ? "; a name given here replaces its stored value, the others are kept" : ""}.
        </span>
      </label>
      <label>
        Tools offered (globs, comma-separated; empty: all)
        <input name="allow" defaultValue={existing?.tools.allow?.join(", ") ?? ""} />
      </label>
      <label>
        Tools never offered
        <input name="deny" defaultValue={existing?.tools.deny.join(", ") ?? ""} />
      </label>
      <label>
        Tools that need an administrator's approval
        <input name="approval" defaultValue={existing?.tools.approval.join(", ") ?? ""} />
      </label>
      <label>
        Keys' own credentials
        <select name="own_credential" defaultValue={existing?.own_credential ?? "optional"}>
          <option value="optional">optional: a key without one uses the server's</option>
          <option value="required">required: a key without one is refused</option>
        </select>
      </label>
      <label>
        {stdio ? "Variables" : "Headers"} a key's own credential may set (comma-separated; empty: none)
        <input
          name="own_credential_fields"
          defaultValue={existing?.own_credential_fields.join(", ") ?? ""}
          placeholder={stdio ? "GITHUB_PERSONAL_ACCESS_TOKEN" : "Authorization"}
        />
      </label>
    </SaveForm>
  );
}
