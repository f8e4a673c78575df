import type { Server } from "node:http";
import { connect } from "node:net";

/**
 * The head of the answer `server` (not yet listening) gives to one GET, as the bytes came off the socket (its
 * Date line as `<date>`); the server is closed after.
 */
export async function rawHead(server: Server): Promise<string> {
  await new Promise<void>((done) => server.listen(0, "127.0.0.1", done));
  const { port } = server.address() as { port: number };
  try {
    return await new Promise<string>((done, fail) => {
      const s = connect(port, "127.0.0.1", () => s.write("GET / HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n"));
      let got = "";
      s.on("data", (b: Buffer) => {
        got += b.toString("latin1");
      });
      s.on("end", () => done(got.slice(0, got.indexOf("\r\n\r\n") + 4).replace(/^Date: .*\r\n/m, "<date>\r\n")));
      s.on("error", fail);
    });
  } finally {
    server.close();
  }
}
