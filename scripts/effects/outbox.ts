// Reports on their way to the instructor's board (`workbook join`): each is written to <state-dir>/outbox/ as one
// file (atomically) and a detached sender process posts them, oldest first, so a board that is down, slow or
// refusing never slows, fails or changes the learner's run. A report leaves the outbox only once the board stored
// it (or already had it: every report carries an id the board stores once), so none is lost and none is stored
// twice; one the board refuses for good (401, 413, 400) is set aside in outbox/rejected/, not retried forever.
//
// Delivered means the board said so: a 2xx answer whose JSON names this report's id as stored (or already stored).
// A redirect is not followed (a POST that lands on a page as a GET is not a delivery), a captive portal's HTML 200
// is not an acknowledgement, and an answer larger than an acknowledgement can be is an error, read no further.
import { spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { z } from 'zod';
import { writeAtomic } from './files.js';
import { readBoundedSync } from '../core/read.js';
import { WorkbookError } from '../core/errors.js';
import { LockHeld, takeLock } from './lock.js';

/** The board's token rule (`workshop serve --token`), applied by `join` too: a token the board can never accept is refused up front. */
export const TOKEN_RULE = /^[A-Za-z0-9._~-]{8,200}$/;
export const TOKEN_RULE_WORDS = '8 to 200 letters, digits or . _ ~ -';

/** `<state-dir>/board.json`: the board this workbook joined. */
export const JoinedSchema = z.object({
  url: z.string().url().refine((u) => /^https?:\/\//.test(u), 'http:// or https://'),
  token: z.string().regex(TOKEN_RULE),
  name: z.string().min(1).max(80),
  /** this learner, for the board (two attendees may share a name) */
  id: z.string().min(1).max(80),
});
export type Joined = z.infer<typeof JoinedSchema>;

/** The board's acknowledgement of one report (scripts/effects/board.ts). */
const AckSchema = z.object({ id: z.string(), stored: z.boolean() });
/** An acknowledgement is a few dozen bytes: more is not one. */
const MAX_ACK = 64 * 1024;

export const joinedFile = (stateDir: string) => join(stateDir, 'board.json');
/** A queued report's file name: when it was queued (sorts oldest first), and its id. */
export const isQueued = (f: string) => /^\d{15}-[0-9a-f-]{36}\.json$/.test(f);
export const outboxDir = (stateDir: string) => join(stateDir, 'outbox');

/** The board joined; none when not joined. A board.json that cannot be read or parsed is one line naming it. */
export function readJoined(stateDir: string): Joined | undefined {
  const file = joinedFile(stateDir);
  if (!existsSync(file)) return undefined;
  let value: unknown;
  try {
    value = JSON.parse(readBoundedSync(file, 64 * 1024));
  } catch (err) {
    throw new WorkbookError(`${file} cannot be read (${(err as NodeJS.ErrnoException).code ?? 'not JSON'}): join the board again, or \`workbook join --leave\``, { exitCode: 2, final: true });
  }
  const r = JoinedSchema.safeParse(value);
  if (!r.success) throw new WorkbookError(`${file}: ${r.error.issues[0]!.path.join('.') || 'the file'} ${r.error.issues[0]!.message}: join the board again, or \`workbook join --leave\``, { exitCode: 2, final: true });
  return r.data;
}



export async function saveJoined(stateDir: string, j: Joined): Promise<void> {
  mkdirSync(stateDir, { recursive: true });
  // the token is the class's: readable by this user only
  await writeAtomic(joinedFile(stateDir), JSON.stringify(j, null, 2) + '\n', 0o600);
}

/** Queue a report for the board joined and start the sender in the background; returns at once. */
export async function queueReport(stateDir: string, j: Joined, report: Record<string, unknown>, cli: string, env: NodeJS.ProcessEnv): Promise<void> {
  const dir = outboxDir(stateDir);
  mkdirSync(dir, { recursive: true });
  const id = randomUUID();
  await writeAtomic(join(dir, `${Date.now().toString().padStart(15, '0')}-${id}.json`), JSON.stringify({ id, learner: { id: j.id, name: j.name }, report }) + '\n', 0o600);
  const child = spawn(process.execPath, [cli, 'workshop', 'send', '--state-dir', stateDir], { detached: true, stdio: 'ignore', env });
  child.on('error', () => {});
  child.unref();
}

export interface SendResult {
  sent: number;
  rejected: number;
  /** why the rest stays queued (the board down, slow, failing), or undefined when the outbox is empty */
  waiting?: string;
}

/** What posting one report came to. */
type Posted = { kind: 'delivered' } | { kind: 'refused'; status: number } | { kind: 'wait'; why: string };

/** Post one report; delivered only on the board's own acknowledgement of its id. */
async function postOne(j: Joined, id: string, body: string, timeoutMs: number): Promise<Posted> {
  let res: Response;
  try {
    res = await fetch(`${j.url.replace(/\/+$/, '')}/api/reports`, { method: 'POST', redirect: 'manual', headers: { authorization: `Bearer ${j.token}`, 'content-type': 'application/json' }, body, signal: AbortSignal.timeout(timeoutMs) });
  } catch (err) {
    const cause = (err as { cause?: { code?: string; message?: string } }).cause;
    return { kind: 'wait', why: `the board at ${j.url} did not answer (${cause?.code ?? cause?.message ?? (err as Error).name})` };
  }
  const text = await boundedText(res, MAX_ACK).catch(() => undefined);
  if (res.status >= 300 && res.status < 400) return { kind: 'wait', why: `${j.url} answered with a redirect (HTTP ${res.status}${res.headers.get('location') ? ` to ${res.headers.get('location')}` : ''}): not the board, or not its address; nothing is counted as sent` };
  if (res.status === 400 || res.status === 401 || res.status === 413) return { kind: 'refused', status: res.status };
  if (res.status < 200 || res.status >= 300) return { kind: 'wait', why: `the board answered HTTP ${res.status}` };
  if (text === undefined) return { kind: 'wait', why: `${j.url} answered HTTP ${res.status} with more than an acknowledgement (over ${MAX_ACK / 1024} KiB): not the board` };
  let ack: unknown;
  try {
    ack = JSON.parse(text);
  } catch {
    ack = undefined;
  }
  const a = AckSchema.safeParse(ack);
  if (!a.success || a.data.id !== id) return { kind: 'wait', why: `${j.url} answered HTTP ${res.status} but not as the board does (no acknowledgement of report ${id}${/^\s*</.test(text) ? ': an HTML page, perhaps a captive portal' : ''})` };
  return { kind: 'delivered' };
}

/** A response's body as text, or an error once it passes `max` bytes (the rest is not read). */
async function boundedText(res: Response, max: number): Promise<string> {
  if (!res.body) return '';
  const reader = res.body.getReader();
  const parts: Uint8Array[] = [];
  let size = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    size += value.length;
    if (size > max) {
      await reader.cancel().catch(() => {});
      throw new Error('too large');
    }
    parts.push(value);
  }
  return Buffer.concat(parts).toString('utf8');
}

const QueuedSchema = z.object({ id: z.string().min(1).max(80) }).passthrough();

/** Post every queued report, oldest first; one sender at a time (a lock with its PID). */
export async function sendQueued(stateDir: string, o: { timeoutMs?: number } = {}): Promise<SendResult> {
  const j = readJoined(stateDir);
  const dir = outboxDir(stateDir);
  const result: SendResult = { sent: 0, rejected: 0 };
  if (!j || !existsSync(dir)) return result;
  if (!statSync(dir).isDirectory()) throw new WorkbookError(`${dir} (the outbox) is not a folder: remove it, or \`workbook join --leave\``, { exitCode: 2, final: true });
  let release: () => Promise<void>;
  try {
    release = await takeLock(join(dir, '.lock'), { what: 'the outbox', waitMs: 0 });
  } catch (err) {
    if (err instanceof LockHeld) return { ...result, waiting: `another sender (PID ${err.holder}) is at work` };
    throw err;
  }
  const setAside = (f: string) => {
    mkdirSync(join(dir, 'rejected'), { recursive: true });
    renameSync(join(dir, f), join(dir, 'rejected', f));
    result.rejected++;
  };
  try {
    for (const f of readdirSync(dir).filter(isQueued).sort()) {
      const file = join(dir, f);
      let body: string;
      let id: string;
      try {
        body = readBoundedSync(file, 2 * 1024 * 1024);
        id = QueuedSchema.parse(JSON.parse(body)).id;
      } catch {
        // not a report this workbook queued (or cut short): never sent, kept aside for a look
        setAside(f);
        continue;
      }
      const posted = await postOne(j, id, body, o.timeoutMs ?? 10_000);
      if (posted.kind === 'delivered') {
        rmSync(file, { force: true });
        result.sent++;
      } else if (posted.kind === 'refused') setAside(f);
      else {
        result.waiting = posted.why;
        break;
      }
    }
  } finally {
    // what this round did, for `workshop send`'s caller and the tests: the event "the sender is done"
    try {
      writeFileSync(join(dir, '.last-send.json'), JSON.stringify({ at: Date.now(), ...result }) + '\n');
    } finally {
      await release();
    }
  }
  return result;
}
