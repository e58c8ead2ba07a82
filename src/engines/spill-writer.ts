import { closeSync, openSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import type { FleetFactEvent, WafEvent } from '../../schemas/event.js';

/** Bytes of JSON lines held before a write. */
const BUFFER_BYTES = 1 << 20;

/** Where spill files go, and whether events no rule acted on keep only FLEET_FACT_COLUMNS. */
export interface SpillTo {
  dir: string;
  /** The local load's choice; Firehose's events and the differential tests keep every column. */
  trimUnacted: boolean;
}

/**
 * Writes events as JSON lines to numbered files in a folder, handing each file over once it holds
 * `rowsPerFile` rows (and the last one on close): the way events reach DuckDB, which reads the
 * files in parallel, without the rows ever being held in memory together. JSON.stringify here, not
 * the transform's compiled serializer: in the ingest workers that cost 4.4-5 s more CPU on the
 * bench's 255k records (it builds each line by concatenation, and flattening those strings for
 * the write costs more than JSON.stringify, which writes a flat string at once). Each line is
 * encoded once, straight into the write buffer: joining the lines into one string first copied
 * every line a second time.
 */
export class SpillWriter {
  private fd = -1;
  private file = '';
  private inFile = 0;
  private seq = 0;
  private readonly buffer = Buffer.allocUnsafe(BUFFER_BYTES);
  private used = 0;

  constructor(
    private readonly to: SpillTo,
    private readonly prefix: string,
    private readonly onFull: (file: string, rows: number) => void,
    private readonly rowsPerFile = 25_000,
  ) {}

  add(event: WafEvent): void {
    const line = JSON.stringify(
      this.to.trimUnacted && event.rule_action === null ? fleetFacts(event) : event,
    );
    // UTF-8 takes at most 3 bytes per UTF-16 unit; a line larger than the buffer is written alone.
    if (this.used + line.length * 3 + 1 > BUFFER_BYTES) this.flush();
    if (line.length * 3 + 1 > BUFFER_BYTES) this.write(Buffer.from(`${line}\n`));
    else {
      this.used += this.buffer.write(line, this.used);
      this.buffer[this.used++] = 0x0a;
    }
    this.inFile++;
    if (this.inFile >= this.rowsPerFile) this.handOver();
  }

  close(): void {
    this.handOver();
  }

  private flush(): void {
    if (this.used === 0) return;
    this.write(this.buffer.subarray(0, this.used));
    this.used = 0;
  }

  private write(bytes: Buffer): void {
    if (this.fd === -1) {
      this.file = join(this.to.dir, `${this.prefix}-${this.seq++}.jsonl`);
      this.fd = openSync(this.file, 'w');
    }
    for (let at = 0; at < bytes.length; ) at += writeSync(this.fd, bytes, at);
  }

  private handOver(): void {
    this.flush();
    if (this.fd === -1) return;
    closeSync(this.fd);
    this.fd = -1;
    const rows = this.inFile;
    this.inFile = 0;
    this.onFull(this.file, rows);
  }
}

/**
 * An event no rule acted on as the queries read it (FLEET_FACT_COLUMNS; the type holds the keys to
 * it), as the spill files carry it: a null column is left out (JSON.stringify drops an undefined
 * value, and DuckDB reads a missing key as NULL), which takes about 15% off the bytes written and
 * parsed again. The object keeps one shape, so JSON.stringify stays on its fast path.
 */
export function fleetFacts(e: WafEvent): { [K in keyof FleetFactEvent]: FleetFactEvent[K] | undefined } {
  return {
    ts: e.ts,
    dt: e.dt,
    web_acl_arn: e.web_acl_arn,
    host: e.host,
    client_ip: e.client_ip,
    forwarded_ip: e.forwarded_ip ?? undefined,
    client_cdn: e.client_cdn ?? undefined,
    method: e.method,
    path: e.path,
    query: e.query,
    action: e.action,
    rule_action: e.rule_action ?? undefined,
    rule_id: e.rule_id ?? undefined,
    user_agent: e.user_agent ?? undefined,
    wp_session: e.wp_session,
    session_cookies: e.session_cookies,
    cookie_redacted: e.cookie_redacted,
    auth_scheme: e.auth_scheme ?? undefined,
    known_headers: e.known_headers,
    verdict: e.verdict ?? undefined,
    score: e.score,
    signals: e.signals,
  };
}
