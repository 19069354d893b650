import { UsageError, say, write, type CommandInput } from './kit.js';
import { COMMON, type CommandSpec } from '../cli/options.js';
import { TOKEN_RULE, TOKEN_RULE_WORDS } from '../effects/outbox.js';

/** The URLs this machine answers on (every interface's address but loopback's), for a board bound to all of them. */
export async function reachableUrls(url: string, host: string): Promise<string[]> {
  const { networkInterfaces } = await import('node:os');
  const port = new URL(url).port;
  const v6 = host === '::';
  const out = Object.values(networkInterfaces())
    .flat()
    .filter((a) => a && !a.internal && (a.family === 'IPv4' || (v6 && !a.address.startsWith('fe80'))))
    .map((a) => (a!.family === 'IPv6' ? `http://[${a!.address}]:${port}` : `http://${a!.address}:${port}`));
  return out.length ? out : [url];
}

/** Its usage, summary and flags: read by the parser and by `--help`. */
export const spec: CommandSpec = {
  name: 'workshop',
  usage: 'workshop <serve|send> [--listen HOST:PORT] [--token T]',
  positional: 'action-and-name',
  flags: [...COMMON],
  own: {
    listen: { type: 'string', value: 'HOST:PORT', help: { en: 'where the board listens (default 127.0.0.1:8787; a classroom network: its address, said loudly)', 'zh-TW': '看板監聽的位址（預設 127.0.0.1:8787；教室網路：請填它的位址，會特別提醒）' } },
    token: { type: 'string', value: 'T', help: { en: 'the token attendees join with (default: a fresh random one)', 'zh-TW': '學員加入時使用的權杖（預設：新產生的隨機值）' } },
    'stuck-minutes': { type: 'string', value: 'N', help: { en: 'the same failing check for longer than this is "stuck" (default 5)', 'zh-TW': '同一項檢查失敗超過這麼久就算「卡住」（預設 5）' } },
  },
  summary: {
    en: "an instructor's live board: attendees' workbooks send their reports (workbook join), one row each, stuck ones stand out",
    'zh-TW': '講師的即時看板：學員的工作手冊會送出報告（workbook join），每人一列，卡住的人會特別標示',
  },
};

/** `workbook workshop serve`: the board, until Ctrl-C. */
export async function run({ lab, io, flags, positionals = [] }: CommandInput): Promise<number> {
  const [action, extra] = positionals;
  if (action !== 'serve' && action !== 'send') throw new UsageError(`usage: workbook ${spec.usage}`);
  if (extra) throw new UsageError(`unexpected argument "${extra}" (usage: workbook ${spec.usage})`);
  if (action === 'send') {
    // what each run starts in the background after `workbook join`; by hand it says what happened
    const { sendQueued } = await import('../effects/outbox.js');
    const r = await sendQueued(lab.stateDir);
    write(io.stdout, say({ en: `sent ${r.sent}, set aside ${r.rejected} (refused by the board)${r.waiting ? `; the rest waits: ${r.waiting}` : ''}`, 'zh-TW': `已送出 ${r.sent} 份，擱置 ${r.rejected} 份（看板拒收）${r.waiting ? `；其餘等待中：${r.waiting}` : ''}` }, lab.lang));
    return r.waiting ? 1 : 0;
  }
  const str = (v: string | boolean | undefined) => (typeof v === 'string' ? v : undefined);
  const listen = str(flags.listen) ?? '127.0.0.1:8787';
  const m = /^(.+):(\d{1,5})$/.exec(listen);
  if (!m || Number(m[2]) > 65535) throw new UsageError(`--listen ${listen}: give HOST:PORT (e.g. 127.0.0.1:8787)`);
  const host = m[1]!.replace(/^\[(.*)\]$/, '$1');
  const stuckRaw = str(flags['stuck-minutes']) ?? '5';
  const stuck = Number(stuckRaw);
  if (!Number.isFinite(stuck) || stuck <= 0 || stuck > 24 * 60) throw new UsageError(`--stuck-minutes ${stuckRaw}: give a number of minutes above 0 (at most a day)`);
  const { randomBytes } = await import('node:crypto');
  const token = str(flags.token) ?? randomBytes(12).toString('hex');
  if (!TOKEN_RULE.test(token)) throw new UsageError(`--token: ${TOKEN_RULE_WORDS}`);
  const { join } = await import('node:path');
  const { startBoard, isLoopback, BoardStoreError } = await import('../effects/board.js');
  const { boardViews } = await import('../ui/board.js');
  const stuckMs = stuck * 60_000;
  const board = await startBoard({
    stateDir: join(lab.stateDir, 'board'),
    token,
    host,
    port: Number(m[2]),
    views: boardViews(lab.lang, stuckMs, (await import('../core/catalog.js')).CATALOG.map((c) => ({ number: c.number, title: c.title }))),
  }).catch((err: Error) => {
    // the store's problems (a folder in use, a store that is not a file, a disk that refuses) say so as they are
    if (err instanceof BoardStoreError || (err as { exitCode?: number }).exitCode) throw err;
    throw new UsageError(`cannot listen on ${listen}: ${(err as NodeJS.ErrnoException).code ?? err.message}`);
  });
  const t = (en: string, zh: string) => say({ en, 'zh-TW': zh }, lab.lang);
  if (!isLoopback(host)) write(io.stdout, t(`⚠ LISTENING ON ${host}, NOT ONLY THIS MACHINE: anyone on this network can open the board; only holders of the token can post to it.`, `⚠ 正在 ${host} 上監聽，不只是本機：這個網路上的任何人都能開啟看板；只有持有權杖的人能送出報告。`));
  if (board.skipped) write(io.stdout, t(`(${board.skipped} line(s) of the store did not parse and were skipped)`, `（資料檔中有 ${board.skipped} 行無法解析，已略過）`));
  write(io.stdout, t(`The board: ${board.url}/  (its data: ${join(lab.stateDir, 'board')})`, `看板：${board.url}/　（資料位置：${join(lab.stateDir, 'board')}）`));
  // an address that means "every interface" cannot be joined: the machine's own addresses can
  const urls = host === '0.0.0.0' || host === '::' ? await reachableUrls(board.url, host) : [board.url];
  const lines = urls.map((u) => `  workbook join ${u} --token ${token} --name "${lab.lang === 'zh-TW' ? '<姓名>' : '<their name>'}"`).join('\n');
  write(io.stdout, t(`Attendees join with:\n${lines}`, `學員以此加入：\n${lines}`));
  write(io.stdout, t('Ctrl-C stops the board (its data stays).', 'Ctrl-C 會停止看板（資料會保留）。'));
  await new Promise<void>((resolve) => (io.signal?.aborted ? resolve() : io.signal?.addEventListener('abort', () => resolve(), { once: true })));
  await board.close();
  return 0;
}
