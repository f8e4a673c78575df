import { mkdir, writeFile } from "node:fs/promises";
import { join, resolve } from "node:path";
import type { RecordConfig } from "../config/schema-observe.js";
import type { Logger } from "../log/logger.js";
import { type ExchangeCapture, RECORD_LIMIT } from "../request/capture.js";
import type { RequestRecord } from "../request/record.js";
import { Masker } from "../secrets/mask.js";
import type { Redactor } from "../secrets/redact.js";

/** Exchanges waiting to be written at most; past it one is dropped (and counted in the log). */
const MAX_PENDING = 32;

/** The files of one recorded exchange (the layout of the recorded Cursor ⇄ Azure fixtures), plus meta.json. */
export const FILES = {
  clientRequest: "downstream_request.json",
  clientResponse: "downstream_response.sse",
  upstreamRequest: "upstream_request.json",
  upstreamResponse: "upstream_response.sse",
  meta: "meta.json",
} as const;

export interface RecordingMeta {
  id: string;
  recorded_at: string;
  method: string;
  path: string;
  client_dialect?: string | undefined;
  client_tool?: string | undefined;
  requested?: string | undefined;
  alias?: string | undefined;
  provider?: string | undefined;
  model?: string | undefined;
  stream?: boolean | undefined;
  status?: number | undefined;
  content_type?: string | undefined;
  upstream: { path?: string | undefined; status?: number | undefined; content_type?: string | undefined };
  /** Text replaced by placeholders (false: kept as it was). Keys are removed either way. */
  redacted: boolean;
  /** A stream was longer than a recording keeps (16 MiB). */
  truncated: boolean;
  /** Upstream calls the request made (the recording keeps the last). */
  attempts: number;
}

const slug = (s: string | undefined) => (s ?? "none").replace(/[^A-Za-z0-9._-]+/g, "-").slice(0, 40);
const stamp = (d: Date) => d.toISOString().replace(/[-:]/g, "").replace("T", "-").replace("Z", "");

/**
 * `logging.record`: each exchange that reached an upstream, written as a fixture folder: the client's
 * request, what llmux sent upstream, the upstream's raw answer and what llmux sent back, redacted. The
 * request only hands over what it captured; redaction and the writes happen afterwards, one exchange at a
 * time, with a bounded queue and a bounded number of exchanges.
 */
export class Recorder {
  readonly dir: string;
  private readonly masker: Masker;
  private queued = 0;
  private dropped = 0;
  private seq = 0;
  private chain: Promise<void> = Promise.resolve();
  private full = false;

  constructor(
    private readonly settings: RecordConfig,
    secrets: Redactor,
    private readonly logger: Logger,
  ) {
    this.dir = resolve(settings.dir);
    this.masker = new Masker(settings.keep_text, secrets);
  }

  /** Whether new exchanges are still captured (false once max_exchanges were taken). */
  get active(): boolean {
    return this.seq < this.settings.max_exchanges;
  }

  /** What the request capture keeps of each body for a recording (0 once recording stopped). */
  get captureBytes(): number {
    return this.active ? RECORD_LIMIT : 0;
  }

  /** Hands over one finished exchange; it is written soon after, off the request's path. */
  enqueue(rec: RequestRecord, capture: ExchangeCapture): void {
    if (capture.upstreamRequest === undefined || capture.clientRequest === undefined) return;
    if (!this.active) {
      if (!this.full) {
        this.full = true;
        this.logger.warn(
          { dir: this.dir, max_exchanges: this.settings.max_exchanges },
          `recording stopped: ${this.settings.max_exchanges} exchanges written (logging.record.max_exchanges)`,
        );
      }
      return;
    }
    if (this.queued >= MAX_PENDING) {
      this.dropped++;
      if (this.dropped === 1 || this.dropped % 100 === 0)
        this.logger.warn({ dropped: this.dropped }, "recording: exchanges dropped, the disk is not keeping up");
      return;
    }
    const n = ++this.seq;
    this.queued++;
    this.chain = this.chain.then(
      () =>
        new Promise<void>((done) => {
          setImmediate(() => {
            this.write(rec, capture, n)
              .catch((err: Error) =>
                this.logger.warn({ err: err.message, dir: this.dir }, "recording an exchange failed"),
              )
              .finally(() => {
                this.queued--;
                done();
              });
          });
        }),
    );
  }

  private async write(rec: RequestRecord, capture: ExchangeCapture, n: number): Promise<void> {
    const r = this.masker.with(capture.secrets);
    const now = new Date();
    const name = `${stamp(now)}-p${process.pid}-${String(n).padStart(5, "0")}-${slug(rec.alias ?? rec.requested)}`;
    const dir = join(this.dir, name);
    await mkdir(dir, { recursive: true });
    const bodies = [capture.clientRequest, capture.upstreamRequest, capture.upstreamResponse, capture.clientResponse];
    const [clientRequest, upstreamRequest, upstreamResponse, clientResponse] = bodies.map(
      (b) => b?.bytes(RECORD_LIMIT).toString("utf8") ?? "",
    ) as [string, string, string, string];
    const upstreamType = capture.upstreamType ?? "text/event-stream";
    const clientType = capture.clientType ?? "";
    const meta: RecordingMeta = {
      id: rec.id,
      recorded_at: now.toISOString(),
      method: rec.method,
      path: rec.path,
      client_dialect: rec.client,
      client_tool: rec.clientTool,
      requested: rec.requested,
      alias: rec.alias,
      provider: rec.provider,
      model: rec.model,
      stream: rec.stream,
      status: rec.status,
      content_type: clientType,
      upstream: { path: capture.upstreamPath, status: capture.attempt?.status, content_type: upstreamType },
      redacted: !r.keepText,
      truncated: bodies.some((b) => b?.cut(RECORD_LIMIT)),
      attempts: rec.timing?.attempts.length ?? 0,
    };
    await Promise.all([
      writeFile(join(dir, FILES.clientRequest), r.json(clientRequest)),
      writeFile(join(dir, FILES.upstreamRequest), r.json(upstreamRequest)),
      writeFile(join(dir, FILES.upstreamResponse), r.stream(upstreamResponse, upstreamType)),
      writeFile(join(dir, FILES.clientResponse), r.stream(clientResponse, clientType)),
      writeFile(join(dir, FILES.meta), `${r.scrub(JSON.stringify(meta, null, 2))}\n`),
    ]);
  }

  /** Resolves once every exchange handed over is written. */
  async flush(): Promise<void> {
    let last: Promise<void>;
    do {
      last = this.chain;
      await last;
    } while (last !== this.chain);
  }
}
