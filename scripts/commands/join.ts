import { UsageError, say, write, type CommandInput } from './kit.js';
import { COMMON, type CommandSpec } from '../cli/options.js';

/** Its usage, summary and flags: read by the parser and by `--help`. */
export const spec: CommandSpec = {
  name: 'join',
  usage: 'join <board-url> --token T --name NAME | join --leave',
  positional: 'endpoint',
  flags: [...COMMON],
  own: {
    token: { type: 'string', value: 'T', help: { en: 'the token the instructor gave', 'zh-TW': '講師給的權杖' } },
    name: { type: 'string', value: 'NAME', help: { en: 'your name on the board', 'zh-TW': '你在看板上的名字' } },
    leave: { type: 'boolean', help: { en: 'stop sending reports to the board (queued ones are dropped)', 'zh-TW': '停止送出報告給看板（佇列中的會被丟棄）' } },
  },
  summary: {
    en: "join a workshop's board: from now on every run, verify, challenge and exercise result is sent to it in the background",
    'zh-TW': '加入工作坊看板：之後每次 run、verify、挑戰與練習的結果都會在背景送給它',
  },
};

/** `workbook join <url> --token T --name NAME`, or `workbook join --leave`. */
export async function run({ lab, io, flags, positional }: CommandInput): Promise<number> {
  const o = await import('../effects/outbox.js');
  const t = (en: string, zh: string) => say({ en, 'zh-TW': zh }, lab.lang);
  if (flags.leave) {
    if (positional || flags.token || flags.name) throw new UsageError('--leave takes nothing else');
    const { rmSync, readdirSync, existsSync, statSync } = await import('node:fs');
    const box = o.outboxDir(lab.stateDir);
    const dropped = existsSync(box) && statSync(box).isDirectory() ? readdirSync(box).filter(o.isQueued).length : 0;
    let had: { url: string } | undefined;
    try {
      had = o.readJoined(lab.stateDir);
    } catch {
      had = { url: '(an unreadable board.json)' };
    }
    rmSync(o.joinedFile(lab.stateDir), { force: true });
    rmSync(o.outboxDir(lab.stateDir), { recursive: true, force: true });
    write(io.stdout, had ? t(`Left the board at ${had.url}; nothing more is sent${dropped ? ` (${dropped} unsent report(s) dropped)` : ''}.`, `已離開 ${had.url} 的看板；不會再送出任何東西${dropped ? `（丟棄了 ${dropped} 份未送出的報告）` : ''}。`) : t('Not joined to any board.', '沒有加入任何看板。'));
    return 0;
  }
  if (!positional) throw new UsageError(`usage: workbook ${spec.usage}`);
  let url: URL;
  try {
    url = new URL(positional);
  } catch {
    throw new UsageError(`"${positional}" is not a URL (the instructor's board, e.g. http://192.168.1.10:8787)`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new UsageError('the board URL must be http:// or https://');
  const token = typeof flags.token === 'string' ? flags.token : undefined;
  const name = typeof flags.name === 'string' ? flags.name.trim() : undefined;
  if (!token) throw new UsageError('--token: the token the instructor gave is needed');
  if (!o.TOKEN_RULE.test(token)) throw new UsageError(`--token: not a token a board gives (${o.TOKEN_RULE_WORDS}): copy it again from the instructor's screen`);
  if (!name) throw new UsageError('--name: your name on the board is needed');
  if (name.length > 80 || /[\u0000-\u001f\u007f]/.test(name)) throw new UsageError('--name: at most 80 characters, no control characters');
  // what the board would show: no direction overrides or invisible characters
  const { cleanText } = await import('../core/board-report.js');
  if (cleanText(name, 80) !== name) throw new UsageError('--name: no direction marks or invisible characters (the board shows names as written)');
  const { randomUUID } = await import('node:crypto');
  let before: { id: string } | undefined;
  try {
    before = o.readJoined(lab.stateDir);
  } catch {
    before = undefined; // replaced below
  }
  await o.saveJoined(lab.stateDir, { url: `${url.origin}${url.pathname}`.replace(/\/+$/, ''), token, name, id: before?.id ?? randomUUID() });
  write(io.stdout, t(`Joined ${url.origin} as ${name}. Every run, verify, challenge and exercise result now goes to the board in the background (a board that is down never slows you; reports wait and go later). \`workbook join --leave\` stops it.`, `已以 ${name} 加入 ${url.origin}。之後每次 run、verify、挑戰與練習的結果都會在背景送到看板（看板停擺也不會拖慢你；報告會等待之後再送）。\`workbook join --leave\` 可停止。`));
  return 0;
}
