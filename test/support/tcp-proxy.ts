import { connect, createServer, type Server, type Socket } from "node:net";

/**
 * A TCP proxy in front of a real server (PostgreSQL, Redis) that a test can cut and restore: `cut()`
 * destroys every open connection and refuses new ones; `restore()` accepts again.
 */
export interface TcpProxy {
  readonly port: number;
  cut(): void;
  /** Like a server that stopped answering: open connections are dropped, new ones are accepted and never answered. */
  hang(): void;
  /** New connections are accepted and never answered; open ones go on as before (until `restore` closes the held). */
  holdNew(): void;
  /**
   * Answers lost: what clients send still reaches the server (it executes it), what it answers is dropped.
   * A stream cannot skip bytes, so `restore()` then closes those connections (their answers are lost for good).
   */
  loseReplies(): void;
  restore(): void;
  close(): Promise<void>;
}

export async function tcpProxy(targetHost: string, targetPort: number): Promise<TcpProxy> {
  const sockets = new Set<Socket>();
  let open = true;
  let hanging = false;
  let holding = false;
  let losing = false;
  const held = new Set<Socket>();
  /** Connections that lost answers: closed on restore. */
  const broken = new Set<Socket>();
  const server: Server = createServer((client) => {
    if (hanging || holding) {
      held.add(client);
      client.on("error", () => undefined).on("close", () => held.delete(client));
      return;
    }
    if (!open) {
      client.destroy();
      return;
    }
    const upstream = connect(targetPort, targetHost);
    sockets.add(client);
    sockets.add(upstream);
    const drop = () => {
      client.destroy();
      upstream.destroy();
      sockets.delete(client);
      sockets.delete(upstream);
    };
    client.on("error", drop).on("close", drop);
    upstream.on("error", drop).on("close", drop);
    client.pipe(upstream);
    upstream.on("data", (b: Buffer) => {
      if (!losing) client.write(b);
      else broken.add(client);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const port = (server.address() as { port: number }).port;
  return {
    port,
    cut() {
      open = false;
      for (const s of sockets) s.destroy();
      sockets.clear();
    },
    hang() {
      hanging = true;
      for (const s of sockets) s.destroy();
      sockets.clear();
    },
    holdNew() {
      holding = true;
    },
    loseReplies() {
      losing = true;
    },
    restore() {
      open = true;
      hanging = false;
      holding = false;
      losing = false;
      for (const s of broken) s.destroy();
      broken.clear();
      for (const s of held) s.destroy();
      held.clear();
    },
    close: () =>
      new Promise<void>((resolve) => {
        open = false;
        for (const s of [...sockets, ...held]) s.destroy();
        server.close(() => resolve());
      }),
  };
}
