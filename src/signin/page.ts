/** The verification page llmux serves to the browser (RFC 8628 §3.3): plain HTML, no script. */

const esc = (s: string) => s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

const STYLE =
  "body{font-family:system-ui,sans-serif;max-width:32rem;margin:4rem auto;padding:0 1rem;color:#222}" +
  ".code{font:600 2rem ui-monospace,monospace;letter-spacing:.2rem;margin:1rem 0}" +
  "button{font:inherit;padding:.5rem 1rem;margin-right:.5rem}input{font:inherit;padding:.4rem;text-transform:uppercase}" +
  ".err{color:#a00}";

function page(title: string, body: string): string {
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1"><title>${esc(title)}</title><link rel="icon" href="data:,"><style>${STYLE}</style></head><body><main><h1>${esc(title)}</h1>${body}</main></body></html>`;
}

/** Asks for the code shown in the terminal (or shows it, pre-filled, to confirm: never submitted by itself). */
export function codePage(userCode: string | undefined, problem?: string, csrf = ""): string {
  const error = problem ? `<p class="err" role="alert">${esc(problem)}</p>` : "";
  if (userCode)
    return page(
      "Sign in to llmux from Claude Code",
      `${error}<p>A device asks to sign in as you. <strong>Continue only if this code matches the one your terminal shows.</strong> If you did not start this, deny it.</p>` +
        `<form method="post" action="/device"><div class="code" aria-label="Code">${esc(userCode)}</div>` +
        `<input type="hidden" name="user_code" value="${esc(userCode)}">` +
        `<input type="hidden" name="csrf" value="${esc(csrf)}">` +
        `<button type="submit">The code matches: continue</button><button type="submit" formaction="/device/deny">Deny</button></form>`,
    );
  return page(
    "Sign in to llmux from Claude Code",
    `${error}<form method="get" action="/device"><label>Code shown in your terminal <input name="user_code" autocomplete="off" required></label> <button type="submit">Next</button></form>`,
  );
}

/** The end of the browser step. */
export const donePage = (title: string, words: string, failed = false): string =>
  page(title, `<p${failed ? ' class="err" role="alert"' : ""}>${esc(words)}</p>`);
