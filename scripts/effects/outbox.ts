// Reports on their way to the instructor's board (`workbook join`): each is written to <state-dir>/outbox/ as one
// file (atomically) and a detached sender process posts them, oldest first, so a board that is down, slow or
// refusing never slows, fails or changes the learner's run. A report leaves the outbox only once the board stored
// it (or already had it: every report carries an id the board stores once), so none is lost and none is stored
// twice; one the board refuses for good (401, 413, 400) is set aside in outbox/rejected/, not retried forever.
import { spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { alive } from './process.js';
import { writeAtomic } from './files.js';

export interface Joined {
  url: string;
  token: string;
  name: string;
  /** this learner, for the board (two attendees may share a name) */
  id: string;
}

export const joinedFile = (stateDir: string) => join(stateDir, 'board.json');
/** A queued report's file name: when it was queued (sorts oldest first), and its id. */
export const isQueued = (f: string) => /^\d{15}-[0-9a-f-]{36}\.json$/.test(f);
export const outboxDir = (stateDir: string) => join(stateDir, 'outbox');

export function readJoined(stateDir: string): Joined | undefined {
  try {
    const j = JSON.parse(readFileSync(joinedFile(stateDir), 'utf8')) as Joined;
    return j && typeof j.url === 'string' && typeof j.token === 'string' && typeof j.name === 'string' && typeof j.id === 'string' ? j : undefined;
  } catch {
    return undefined;
  }
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

/** Post every queued report, oldest first; one sender at a time (a lock with its PID). */
export async function sendQueued(stateDir: string, o: { timeoutMs?: number } = {}): Promise<SendResult> {
  const j = readJoined(stateDir);
  const dir = outboxDir(stateDir);
  const result: SendResult = { sent: 0, rejected: 0 };
  if (!j || !existsSync(dir)) return result;
  const lock = join(dir, '.lock');
  try {
    writeFileSync(lock, String(process.pid), { flag: 'wx' });
  } catch {
    const holder = Number(readFileSync(lock, 'utf8'));
    if (holder > 0 && alive(holder)) return { ...result, waiting: `another sender (PID ${holder}) is at work` };
    rmSync(lock, { force: true });
    return sendQueued(stateDir, o);
  }
  try {
    for (const f of readdirSync(dir).filter(isQueued).sort()) {
      const file = join(dir, f);
      const body = readFileSync(file, 'utf8');
      let status: number;
      try {
        const res = await fetch(`${j.url.replace(/\/+$/, '')}/api/reports`, { method: 'POST', headers: { authorization: `Bearer ${j.token}`, 'content-type': 'application/json' }, body, signal: AbortSignal.timeout(o.timeoutMs ?? 10_000) });
        status = res.status;
        await res.arrayBuffer().catch(() => undefined);
      } catch (err) {
        result.waiting = `the board at ${j.url} did not answer (${(err as { cause?: { code?: string } }).cause?.code ?? (err as Error).name})`;
        break;
      }
      if (status >= 200 && status < 300) {
        rmSync(file, { force: true });
        result.sent++;
      } else if (status === 400 || status === 401 || status === 413) {
        mkdirSync(join(dir, 'rejected'), { recursive: true });
        renameSync(file, join(dir, 'rejected', f));
        result.rejected++;
      } else {
        result.waiting = `the board answered HTTP ${status}`;
        break;
      }
    }
  } finally {
    // what this round did, for `workshop send`'s caller and the tests: the event "the sender is done"
    writeFileSync(join(dir, '.last-send.json'), JSON.stringify({ at: Date.now(), ...result }) + '\n');
    rmSync(lock, { force: true });
  }
  return result;
}
