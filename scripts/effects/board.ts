// The instructor's board (`workbook workshop serve`): attendees' workbooks post their JSON reports; the board keeps
// them and shows one row per attendee, live. node:http, no framework: five routes, and a dependency would add
// more surface than it saves. The store is an append-only JSON-lines file: each report is one line appended with
// O_APPEND (a crash can only leave a partial last line, which the next start skips), so nothing is rewritten and a
// restart reads everything back.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { appendFileSync, existsSync, mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { timingSafeEqual } from 'node:crypto';

/** One report as stored: who sent it, when it arrived, and the workbook's JSON report as sent. */
export interface StoredReport {
  id: string;
  at: string;
  learner: { id: string; name: string };
  report: Record<string, unknown>;
}

/** What the board shows, given to the server by the command (the views live in scripts/ui/board.ts). */
export interface BoardViews {
  rows(reports: StoredReport[], now: number): { id: string }[];
  page(): string;
  script(): string;
  csv(rows: { id: string }[]): string;
}

/** A report body may be this large; more is refused with 413 before it is read whole. */
export const MAX_BODY = 1024 * 1024;

export interface BoardOptions {
  stateDir: string;
  token: string;
  host: string;
  port: number;
  views: BoardViews;
  now?: () => number;
}

export interface Board {
  server: Server;
  url: string;
  close(): Promise<void>;
}

const clean = (s: unknown, max: number) => String(s ?? '').replace(/[\u0000-\u001f\u007f-\u009f]/g, ' ').slice(0, max);

/** Read the store back: every whole line, in order (a partial last line from a crash is skipped). */
export function readStore(file: string): StoredReport[] {
  if (!existsSync(file)) return [];
  const out: StoredReport[] = [];
  for (const line of readFileSync(file, 'utf8').split('\n')) {
    if (!line.trim()) continue;
    try {
      out.push(JSON.parse(line) as StoredReport);
    } catch {
      /* a partial line: the write a crash cut short */
    }
  }
  return out;
}

export async function startBoard(o: BoardOptions): Promise<Board> {
  mkdirSync(o.stateDir, { recursive: true });
  const file = join(o.stateDir, 'reports.jsonl');
  const reports = readStore(file);
  // a partial last line (a crash mid-write) is closed, so the next report starts a line of its own
  if (existsSync(file) && !readFileSync(file, 'utf8').endsWith('\n') && readFileSync(file, 'utf8').length) appendFileSync(file, '\n');
  const seen = new Set(reports.map((r) => r.id));
  const now = o.now ?? Date.now;
  const listeners = new Set<ServerResponse>();
  const rows = () => o.views.rows(reports, now());

  const authorized = (req: IncomingMessage) => {
    const got = Buffer.from(String(req.headers.authorization ?? ''));
    const want = Buffer.from(`Bearer ${o.token}`);
    return got.length === want.length && timingSafeEqual(got, want);
  };
  const json = (res: ServerResponse, status: number, body: unknown) => {
    res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', 'cache-control': 'no-store' });
    res.end(JSON.stringify(body));
  };

  const server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://board');
    // a page that names no one's secrets, and runs no script but its own
    res.setHeader('x-content-type-options', 'nosniff');
    if (req.method === 'POST' && url.pathname === '/api/reports') {
      if (!authorized(req)) {
        req.resume();
        return json(res, 401, { error: 'a wrong or missing token: nothing was stored' });
      }
      if (Number(req.headers['content-length'] ?? 0) > MAX_BODY) {
        req.resume();
        return json(res, 413, { error: `a report is at most ${MAX_BODY} bytes` });
      }
      const chunks: Buffer[] = [];
      let size = 0;
      let tooBig = false;
      req.on('data', (c: Buffer) => {
        size += c.length;
        if (size > MAX_BODY) tooBig = true;
        else chunks.push(c);
      });
      req.on('end', () => {
        if (tooBig) return json(res, 413, { error: `a report is at most ${MAX_BODY} bytes` });
        let body: { id?: unknown; learner?: { id?: unknown; name?: unknown }; report?: unknown };
        try {
          body = JSON.parse(Buffer.concat(chunks).toString('utf8'));
        } catch {
          return json(res, 400, { error: 'not JSON' });
        }
        const id = clean(body.id, 80);
        const learner = { id: clean(body.learner?.id, 80), name: clean(body.learner?.name, 80) };
        if (!id || !learner.id || !learner.name || !body.report || typeof body.report !== 'object') return json(res, 400, { error: 'needs id, learner {id, name} and report' });
        // sent twice (a retry after a lost answer): stored once
        if (seen.has(id)) return json(res, 200, { stored: false, duplicate: true });
        const stored: StoredReport = { id, at: new Date(now()).toISOString(), learner, report: body.report as Record<string, unknown> };
        appendFileSync(file, JSON.stringify(stored) + '\n');
        seen.add(id);
        reports.push(stored);
        const row = rows().find((r) => r.id === learner.id);
        for (const l of listeners) l.write(`event: learner\ndata: ${JSON.stringify(row)}\n\n`);
        return json(res, 201, { stored: true });
      });
      return;
    }
    if (req.method !== 'GET') return json(res, 405, { error: 'GET or POST /api/reports' });
    if (url.pathname === '/api/learners') return json(res, 200, { learners: rows() });
    if (url.pathname === '/export.csv') {
      res.writeHead(200, { 'content-type': 'text/csv; charset=utf-8', 'content-disposition': 'attachment; filename="workshop.csv"' });
      return void res.end(o.views.csv(rows()));
    }
    if (url.pathname === '/events') {
      res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-store', connection: 'keep-alive' });
      res.write(': the board\n\n');
      listeners.add(res);
      req.on('close', () => listeners.delete(res));
      return;
    }
    if (url.pathname === '/') {
      res.writeHead(200, { 'content-type': 'text/html; charset=utf-8', 'content-security-policy': "default-src 'none'; script-src 'self'; style-src 'unsafe-inline'; connect-src 'self'" });
      return void res.end(o.views.page());
    }
    if (url.pathname === '/board.js') {
      res.writeHead(200, { 'content-type': 'text/javascript; charset=utf-8' });
      return void res.end(o.views.script());
    }
    json(res, 404, { error: 'no such page' });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(o.port, o.host, () => resolve());
  });
  const port = (server.address() as { port: number }).port;
  return {
    server,
    url: `http://${o.host.includes(':') ? `[${o.host}]` : o.host}:${port}`,
    close: () =>
      new Promise<void>((resolve) => {
        for (const l of listeners) l.end();
        server.close(() => resolve());
        server.closeAllConnections?.();
      }),
  };
}
