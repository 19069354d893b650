// The instructor's board (`workbook workshop serve`): attendees' workbooks post their JSON reports; the board keeps
// them and shows one row per attendee, live. node:http, no framework: a few routes, and a dependency would add
// more surface than it saves.
//
// It cannot be knocked over by what it is sent: every request runs inside one error boundary (a malformed one gets
// 400, the server keeps serving); a body is parsed by its schema (scripts/core/board-report.ts), bounded and
// cleaned before anything keeps it; a server-sent-events client that does not read is dropped.
//
// The store is an append-only JSON-lines file: each accepted report is one line appended; a write that fails (a
// full disk) is cut back to where it started and answered 507, so no partial line stays. It is read back as a
// stream of lines on start (a line that does not parse is skipped and counted, a line longer than any report is
// skipped unread). The board keeps each attendee's folded state, not the reports; when the store passes its size
// limit, in total or for one attendee, it is compacted: rewritten as one line per attendee (their folded state).
// One board per folder: a lock with its PID.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { closeSync, createReadStream, fstatSync, fsyncSync, ftruncateSync, mkdirSync, openSync, renameSync, statSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { timingSafeEqual } from 'node:crypto';
import { WorkbookError } from '../core/errors.js';
import { foldReport, parseBoardPost, StoreLineSchema, type LearnerState, type StoredReport } from '../core/board-report.js';
import { takeLock } from './lock.js';

/** What the board shows, given to the server by the command (the views live in scripts/ui/board.ts). */
export interface BoardViews {
  row(state: LearnerState, now: number): { id: string };
  page(): string;
  script(): string;
  csv(rows: { id: string }[]): string;
}

/** A report body may be this large; more is refused with 413 before it is read whole. */
export const MAX_BODY = 1024 * 1024;
/** A stored line is a bounded report: one longer than this was not written by a board, and is skipped unread. */
const MAX_LINE = 4 * MAX_BODY;
/** A client of /events with this much unread is dropped (it reconnects, and reads /api/learners again). */
const MAX_UNREAD = 256 * 1024;
const MAX_LISTENERS = 500;

export interface StoreLimits {
  /** the store's size that makes the board compact it (default 256 MiB) */
  totalBytes: number;
  /** one attendee's reports' size that makes the board compact it (default 16 MiB) */
  learnerBytes: number;
}
export const DEFAULT_STORE_LIMITS: StoreLimits = { totalBytes: 256 * 1024 * 1024, learnerBytes: 16 * 1024 * 1024 };

export interface BoardOptions {
  stateDir: string;
  token: string;
  host: string;
  port: number;
  views: BoardViews;
  now?: () => number;
  limits?: StoreLimits;
}

export interface Board {
  server: Server;
  url: string;
  /** lines of the store skipped on start (they did not parse) */
  skipped: number;
  /** how many /events clients are connected */
  liveClients(): number;
  close(): Promise<void>;
}

/** A problem with the board's folder or store (not with listening): one line, exit 2. */
export class BoardStoreError extends WorkbookError {
  constructor(message: string) {
    super(message, { exitCode: 2, final: true });
  }
}

/** Each line of a file, streamed; a line longer than `max` is skipped without being held whole. */
export async function* linesOf(file: string, max = MAX_LINE): AsyncGenerator<string> {
  let parts: Buffer[] = [];
  let size = 0;
  let overlong = false;
  for await (const chunk of createReadStream(file) as AsyncIterable<Buffer>) {
    let from = 0;
    for (let nl = chunk.indexOf(10, from); nl !== -1; from = nl + 1, nl = chunk.indexOf(10, from)) {
      if (!overlong && size + nl - from <= max) yield Buffer.concat([...parts, chunk.subarray(from, nl)]).toString('utf8');
      parts = [];
      size = 0;
      overlong = false;
    }
    if (overlong) continue;
    size += chunk.length - from;
    if (size > max) {
      overlong = true;
      parts = [];
    } else parts.push(chunk.subarray(from));
  }
  if (!overlong && size) yield Buffer.concat(parts).toString('utf8');
}

/** The store: the attendees' folded states, the report ids seen, and the file they came from. */
class Store {
  readonly learners = new Map<string, LearnerState>();
  private readonly seen = new Set<string>();
  private readonly learnerBytes = new Map<string, number>();
  private fd = -1;
  private size = 0;
  skipped = 0;
  /** whether the last line read back was cut short (a crash mid-write): the next write starts a new line */
  private openLine = false;

  constructor(
    private readonly file: string,
    private readonly limits: StoreLimits,
  ) {}

  async load(): Promise<void> {
    const st = statSync(this.file, { throwIfNoEntry: false });
    if (st && !st.isFile()) throw new BoardStoreError(`${this.file} (the board's store) is not a regular file`);
    if (st) {
      for await (const line of linesOf(this.file)) {
        if (!line.trim()) continue;
        let value: unknown;
        try {
          value = JSON.parse(line);
        } catch {
          value = undefined;
        }
        const r = StoreLineSchema.safeParse(value);
        if (!r.success) {
          this.skipped++;
          continue;
        }
        if ('kind' in r.data) this.keep(r.data.state, 0);
        else this.add(r.data, Buffer.byteLength(line) + 1);
      }
    }
    try {
      this.fd = openSync(this.file, 'a', 0o600);
      this.size = fstatSync(this.fd).size;
      this.openLine = this.size > 0 && (await lastByte(this.file)) !== 10;
    } catch (err) {
      throw new BoardStoreError(`cannot write the board's store ${this.file}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`);
    }
  }

  has(id: string): boolean {
    return this.seen.has(id);
  }

  /** Keep a report: appended to the file first (nothing is kept that the disk did not take). */
  append(r: StoredReport): LearnerState {
    const line = Buffer.from((this.openLine ? '\n' : '') + JSON.stringify(r) + '\n');
    const mine = (this.learnerBytes.get(r.learner.id) ?? 0) + line.length;
    if (this.size + line.length > this.limits.totalBytes || mine > this.limits.learnerBytes) this.compact();
    this.write(line);
    this.openLine = false;
    return this.add(r, line.length);
  }

  close(): void {
    if (this.fd >= 0) closeSync(this.fd);
    this.fd = -1;
  }

  private add(r: StoredReport, bytes: number): LearnerState {
    const state = foldReport(this.learners.get(r.learner.id), r);
    this.keep(state, (this.learnerBytes.get(r.learner.id) ?? 0) + bytes);
    return state;
  }

  private keep(state: LearnerState, bytes: number): void {
    this.learners.set(state.id, state);
    for (const id of state.ids) this.seen.add(id);
    this.learnerBytes.set(state.id, bytes);
  }

  /** Write whole or not at all: a failed write is cut back to where it began. */
  private write(buf: Buffer): void {
    try {
      writeAll(this.fd, buf);
      this.size += buf.length;
    } catch (err) {
      try {
        ftruncateSync(this.fd, this.size);
      } catch {
        /* the line is cut back on the next start: it does not parse */
      }
      throw Object.assign(new Error(`the board's store could not be written (${(err as NodeJS.ErrnoException).code ?? (err as Error).message})`), { storeFull: true });
    }
  }

  /** Rewrite the store as one line per attendee (their folded state), atomically. */
  private compact(): void {
    const tmp = `${this.file}.compact.tmp`;
    const lines = [...this.learners.values()].map((state) => ({ id: state.id, buf: Buffer.from(JSON.stringify({ kind: 'learner', state }) + '\n') }));
    const fd = openSync(tmp, 'w', 0o600);
    try {
      for (const l of lines) writeAll(fd, l.buf);
      fsyncSync(fd);
    } catch (err) {
      closeSync(fd);
      throw Object.assign(new Error(`the board's store could not be compacted (${(err as NodeJS.ErrnoException).code ?? (err as Error).message})`), { storeFull: true });
    }
    closeSync(fd);
    renameSync(tmp, this.file);
    closeSync(this.fd);
    this.fd = openSync(this.file, 'a', 0o600);
    this.size = fstatSync(this.fd).size;
    for (const l of lines) this.learnerBytes.set(l.id, l.buf.length);
  }
}

/** Write a whole buffer (writeSync may write less than asked). */
function writeAll(fd: number, buf: Buffer): void {
  let done = 0;
  while (done < buf.length) done += writeSync(fd, buf, done, buf.length - done);
}

async function lastByte(file: string): Promise<number | undefined> {
  const { open } = await import('node:fs/promises');
  const h = await open(file, 'r');
  try {
    const { size } = await h.stat();
    if (!size) return undefined;
    const b = Buffer.alloc(1);
    await h.read(b, 0, 1, size - 1);
    return b[0];
  } finally {
    await h.close();
  }
}

/** Whether a host is this machine only: 127.0.0.0/8, ::1, localhost. */
export function isLoopback(host: string): boolean {
  return host === 'localhost' || host === '::1' || /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(host) || /^::ffff:127\./i.test(host);
}

export async function startBoard(o: BoardOptions): Promise<Board> {
  try {
    mkdirSync(o.stateDir, { recursive: true });
  } catch (err) {
    throw new BoardStoreError(`cannot use ${o.stateDir} for the board's data: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`);
  }
  const release = await takeLock(join(o.stateDir, 'board.lock'), { what: `the board's folder ${o.stateDir}`, waitMs: 0 });
  const store = new Store(join(o.stateDir, 'reports.jsonl'), o.limits ?? DEFAULT_STORE_LIMITS);
  try {
    await store.load();
  } catch (err) {
    await release();
    throw err instanceof BoardStoreError ? err : new BoardStoreError(`cannot read the board's store in ${o.stateDir}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`);
  }
  const now = o.now ?? Date.now;
  const listeners = new Set<ServerResponse>();
  const rows = () => [...store.learners.values()].map((s) => o.views.row(s, now()));

  const authorized = (req: IncomingMessage) => {
    const got = Buffer.from(String(req.headers.authorization ?? ''));
    const want = Buffer.from(`Bearer ${o.token}`);
    return got.length === want.length && timingSafeEqual(got, want);
  };
  const json = (res: ServerResponse, status: number, body: unknown) => {
    if (res.headersSent) return void res.destroy();
    res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', 'cache-control': 'no-store' });
    res.end(JSON.stringify(body));
  };
  /** Refuse a body without reading it: answer, then close the connection (what is still coming is not read). */
  const refuse = (req: IncomingMessage, res: ServerResponse, status: number, error: string) => {
    res.setHeader('connection', 'close');
    json(res, status, { error });
    res.on('finish', () => req.destroy());
  };
  const broadcast = (row: unknown) => {
    const data = `event: learner\ndata: ${JSON.stringify(row)}\n\n`;
    for (const l of listeners) {
      // a client that does not read is dropped rather than buffered for
      if (l.writableLength > MAX_UNREAD) {
        listeners.delete(l);
        l.destroy();
      } else l.write(data);
    }
  };

  const receive = (req: IncomingMessage, res: ServerResponse) => {
    if (!authorized(req)) return refuse(req, res, 401, 'a wrong or missing token: nothing was stored');
    if (Number(req.headers['content-length'] ?? 0) > MAX_BODY) return refuse(req, res, 413, `a report is at most ${MAX_BODY} bytes`);
    const chunks: Buffer[] = [];
    let size = 0;
    let answered = false;
    req.on('data', (c: Buffer) => {
      if (answered) return;
      size += c.length;
      if (size > MAX_BODY) {
        answered = true;
        refuse(req, res, 413, `a report is at most ${MAX_BODY} bytes`);
      } else chunks.push(c);
    });
    req.on('error', () => res.destroy());
    req.on('end', () => {
      if (answered) return;
      try {
        const parsed = parseBoardPost(Buffer.concat(chunks).toString('utf8'));
        if (!parsed.ok) return json(res, 400, { error: parsed.error });
        const { id } = parsed.post;
        // sent twice (a retry after a lost answer): stored once, and acknowledged as the board's
        if (store.has(id)) return json(res, 200, { id, stored: false, duplicate: true });
        let state: LearnerState;
        try {
          state = store.append({ ...parsed.post, at: new Date(now()).toISOString() });
        } catch (err) {
          if ((err as { storeFull?: boolean }).storeFull) return json(res, 507, { error: `${(err as Error).message}: nothing was stored` });
          throw err;
        }
        broadcast(o.views.row(state, now()));
        return json(res, 201, { id, stored: true });
      } catch {
        return json(res, 500, { error: 'the board could not take this report' });
      }
    });
  };

  const handle = (req: IncomingMessage, res: ServerResponse) => {
    // a page that names no one's secrets, and runs no script but its own
    res.setHeader('x-content-type-options', 'nosniff');
    let path: string;
    try {
      path = new URL(req.url ?? '/', 'http://board').pathname;
    } catch {
      return refuse(req, res, 400, 'a malformed request target');
    }
    if (req.method === 'POST' && path === '/api/reports') return receive(req, res);
    if (req.method !== 'GET' && req.method !== 'HEAD') return refuse(req, res, 405, 'GET, HEAD, or POST /api/reports');
    if (path === '/api/learners') return json(res, 200, { learners: rows() });
    if (path === '/export.csv') {
      res.writeHead(200, { 'content-type': 'text/csv; charset=utf-8', 'content-disposition': 'attachment; filename="workshop.csv"' });
      return void res.end(o.views.csv(rows()));
    }
    if (path === '/events') {
      if (listeners.size >= MAX_LISTENERS) return json(res, 503, { error: 'too many live pages: reload later' });
      res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-store', connection: 'keep-alive' });
      if (req.method === 'HEAD') return void res.end();
      res.write(': the board\n\n');
      listeners.add(res);
      res.on('close', () => listeners.delete(res));
      return;
    }
    if (path === '/') {
      res.writeHead(200, { 'content-type': 'text/html; charset=utf-8', 'content-security-policy': "default-src 'none'; script-src 'self'; style-src 'unsafe-inline'; connect-src 'self'" });
      return void res.end(o.views.page());
    }
    if (path === '/board.js') {
      res.writeHead(200, { 'content-type': 'text/javascript; charset=utf-8' });
      return void res.end(o.views.script());
    }
    json(res, 404, { error: 'no such page' });
  };

  const server = createServer((req, res) => {
    try {
      handle(req, res);
    } catch {
      // the boundary: whatever went wrong, this request gets an answer and the board keeps serving
      try {
        json(res, 500, { error: 'the board could not answer this request' });
      } catch {
        res.destroy();
      }
    }
  });
  server.on('clientError', (_err, socket) => {
    if (socket.writable) socket.end('HTTP/1.1 400 Bad Request\r\nconnection: close\r\ncontent-length: 0\r\n\r\n');
    else socket.destroy();
  });
  try {
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(o.port, o.host, () => resolve());
    });
  } catch (err) {
    store.close();
    await release();
    throw err;
  }
  const port = (server.address() as { port: number }).port;
  return {
    server,
    url: `http://${o.host.includes(':') ? `[${o.host}]` : o.host}:${port}`,
    skipped: store.skipped,
    liveClients: () => listeners.size,
    close: () =>
      new Promise<void>((resolve) => {
        for (const l of listeners) l.end();
        server.close(() => {
          store.close();
          void release().then(resolve);
        });
        server.closeAllConnections?.();
      }),
  };
}
