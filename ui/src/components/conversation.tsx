import type { Conversation, Message, Part } from "../lib/types";
import { Clipped, JsonCode } from "./code";
import { MarkdownText } from "./markdown";

const ROLE_WORDS: Record<Message["role"], string> = {
  user: "User",
  assistant: "Assistant",
  tool: "Tool",
  developer: "Developer",
  system: "System",
};

/** The conversation as the model saw it: system prompt and tools folded, then every message in order. */
export function ConversationView({ conversation }: { conversation: Conversation }) {
  const names = new Map<string, string>();
  for (const m of conversation.messages) for (const p of m.parts) if (p.type === "tool_call") names.set(p.id, p.name);
  return (
    <div className="conversation">
      {conversation.system !== null && conversation.system !== "" && (
        <details className="system">
          <summary>
            System prompt <span className="muted">· {conversation.system.length.toLocaleString()} characters</span>
          </summary>
          <MarkdownText text={conversation.system} />
        </details>
      )}
      {conversation.tools.length > 0 && (
        <details className="tools">
          <summary>
            Tools offered <span className="muted">· {conversation.tools.length}</span>
          </summary>
          <ul>
            {conversation.tools.map((t) => (
              <li key={t.name}>
                <code>{t.name}</code>
                {t.description && <span className="muted"> — {t.description}</span>}
              </li>
            ))}
          </ul>
        </details>
      )}
      {conversation.messages.map((m, i) => (
        // biome-ignore lint/suspicious/noArrayIndexKey: messages have no ids; their order is their identity
        <MessageView key={i} message={m} toolNames={names} />
      ))}
    </div>
  );
}

export function MessageView({
  message,
  toolNames,
  title,
}: {
  message: Message;
  toolNames?: Map<string, string>;
  title?: string;
}) {
  const words = title ?? ROLE_WORDS[message.role];
  // Developer and system messages are instructions (Codex sends ~30 KB of them): folded like the system prompt.
  if (message.role === "developer" || message.role === "system") {
    const chars = message.parts.reduce((n, p) => n + (p.type === "text" ? p.text.length : 0), 0);
    return (
      <article className={`msg role-${message.role}`} aria-label={words}>
        <details className="system">
          <summary>
            {words} <span className="muted">· {chars.toLocaleString()} characters</span>
          </summary>
          {message.parts.map((p, i) => (
            // biome-ignore lint/suspicious/noArrayIndexKey: parts have no ids; their order is their identity
            <PartView key={i} part={p} toolNames={toolNames} />
          ))}
        </details>
      </article>
    );
  }
  return (
    <article className={`msg role-${message.role}`} aria-label={words}>
      <header className="msg-role">{words}</header>
      {message.parts.length === 0 && <p className="muted">(empty)</p>}
      {message.parts.map((p, i) => (
        // biome-ignore lint/suspicious/noArrayIndexKey: parts have no ids; their order is their identity
        <PartView key={i} part={p} toolNames={toolNames} />
      ))}
    </article>
  );
}

function PartView({ part, toolNames }: { part: Part; toolNames?: Map<string, string> | undefined }) {
  switch (part.type) {
    case "text":
      return <MarkdownText text={part.text} />;
    case "image":
      return part.url?.startsWith("data:image/") ? (
        <figure className="image">
          <img src={part.url} alt={`Sent in the conversation (${part.media_type ?? "picture"})`} />
          <figcaption className="muted small">{part.media_type ?? "image"}</figcaption>
        </figure>
      ) : (
        <p className="muted">
          [image{part.media_type ? ` ${part.media_type}` : ""}
          {part.url ? ` at ${part.url.slice(0, 200)}` : ""}]
        </p>
      );
    case "tool_call":
      return (
        <div className="tool-call" data-testid="tool-call">
          <div className="part-head">
            <span aria-hidden="true">⚙</span> Tool call <code className="tool-name">{part.name}</code>
            <span className="muted small"> {part.id}</span>
          </div>
          <JsonCode text={part.arguments} label={`Arguments of ${part.name}`} />
        </div>
      );
    case "tool_result":
      return (
        <div className={`tool-result${part.is_error ? " is-error" : ""}`} data-testid="tool-result">
          <div className="part-head">
            <span aria-hidden="true">↩</span> {part.is_error ? "Tool error" : "Tool result"}
            {toolNames?.get(part.tool_call_id) && (
              <>
                {" "}
                of <code>{toolNames.get(part.tool_call_id)}</code>
              </>
            )}
            <span className="muted small"> {part.tool_call_id}</span>
          </div>
          <Clipped text={part.content} json={/^\s*[[{]/.test(part.content)} />
        </div>
      );
    case "reasoning":
      return (
        <details className="reasoning">
          <summary>
            Reasoning{" "}
            <span className="muted">
              · {part.redacted ? "redacted by the provider" : `${part.text.length.toLocaleString()} characters`}
            </span>
          </summary>
          {part.redacted ? (
            <p className="muted">The provider sent this reasoning encrypted; it goes back to the model as it came.</p>
          ) : (
            <MarkdownText text={part.text} />
          )}
        </details>
      );
    default:
      return <pre className="code">{JSON.stringify(part, null, 2)}</pre>;
  }
}
