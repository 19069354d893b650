import { CancelledError, UsageError, WorkbookError, execute, openStore, say, lessonText, type CommandInput, type MainIo } from './kit.js';
import type { Lab } from '../core/model.js';
import type { Flags } from '../cli/options.js';

async function menu(first: Lab, io: MainIo, flags: Flags): Promise<number> {
  // the lab this menu drives: read again after the embedded lab is started or stopped from here
  let lab = first;
  const p = await import('@clack/prompts');
  const { CATALOG, teardownChapter } = await import('../core/catalog.js');
  const { nextChapter, renderStatus } = await import('../ui/status.js');
  const { fit } = await import('../core/markdown.js');
  // menu lines fit the terminal: clack's bar and marker take 6 columns, the rest is the label (and its hint)
  const room = Math.max(8, ((io.stdout as NodeJS.WriteStream).columns || 80) - 6);
  const t = (en: string, zh: string) => fit(say({ en, 'zh-TW': zh }, lab.lang), room);
  // clack's key footer is English only: in zh-TW it is switched off and said in the learner's language instead
  const zh = lab.lang === 'zh-TW';
  if (zh) p.updateSettings({ messages: { cancel: '已取消', error: '發生錯誤' } });
  const o = { input: io.stdin as never, output: io.stdout, ...(zh ? { showInstructions: false } : {}) };
  const keys = zh ? '（↑/↓ 選擇，Enter 確認）' : '';
  p.intro('tempo-workbook', o);
  const pickChapter = async (message: string) => {
    const store = await openStore(lab, io);
    const ch = await p.select({
      ...o,
      message: message + keys,
      options: CATALOG.map((c) => ({ value: c.id, label: fit(`${c.number}. ${say(c.title, lab.lang)}`, room - (store.data.chapters[c.id]?.status?.length ?? -3) - 3), hint: store.data.chapters[c.id]?.status })),
    });
    return p.isCancel(ch) ? undefined : CATALOG.find((c) => c.id === ch);
  };
  let offered = false;
  const relab = async () => {
    const { resolveLab } = await import('../cli/settings.js');
    lab = resolveLab(flags, { env: io.env, cwd: io.cwd, stdinIsTTY: !!(io.stdin as { isTTY?: boolean }).isTTY, stdoutIsTTY: !!(io.stdout as { isTTY?: boolean }).isTTY });
  };
  // every action comes back here; only Quit (or Esc/Ctrl-C at the menu) leaves
  for (;;) {
    const store = await openStore(lab, io);
    // the lab in use, read fresh before every action: one started or stopped elsewhere is seen here
    await relab();
    const next = nextChapter(store.data, lab);
    // no Docker daemon or no kind (as the doctor last found): the embedded lab is offered first
    const prereq = store.data.chapters[CATALOG[0]!.id]?.checks ?? {};
    const noKind = ['docker-daemon', 'kind'].some((id) => prereq[id]?.status === 'failed');
    const offer = !lab.embedded && noKind;
    if (offer && !offered) {
      offered = true;
      const { EMBEDDED_OFFER } = await import('./doctor.js');
      p.note(say(EMBEDDED_OFFER, lab.lang), t('No Docker or kind here', '這裡沒有 Docker 或 kind'), o);
    }
    const choice = await p.select({
      ...o,
      message: t('What next?', '接下來要做什麼？') + keys,
      options: [
        ...(offer ? [{ value: 'lab-up', label: t('Start the embedded lab (no Docker needed)', '啟動內建實驗環境（不需要 Docker）') }] : []),
        ...(next ? [{ value: 'continue', label: t(`Continue: ${next.number}. ${next.title.en}`, `繼續：${next.number}. ${next.title['zh-TW']}`) }] : []),
        { value: 'pick', label: t('Run a chapter', '執行某一章') },
        { value: 'read', label: t('Read a lesson (runs nothing)', '閱讀課文（不執行任何東西）') },
        { value: 'verify', label: t('Verify everything (changes nothing)', '驗證全部（不做任何變更）') },
        { value: 'status', label: t('Show progress', '顯示進度') },
        { value: 'practice', label: t('Practice: break the lab and fix it (challenges)', '練習：弄壞實驗環境再修好（挑戰）') },
        { value: 'exercise', label: t('Exercises: write TraceQL and PromQL, graded', '練習題：寫 TraceQL 與 PromQL，自動評分') },
        { value: 'reset', label: t('Reset progress', '重設進度') },
        lab.embedded ? { value: 'lab-down', label: t('Stop the embedded lab', '停止內建實驗環境') } : { value: 'down', label: t('Tear down the lab', '移除實驗環境') },
        // no kind cluster made by the workbook yet: the embedded lab is always one choice away
        ...(!offer && !lab.embedded && !store.data.facts.createdCluster ? [{ value: 'lab-up', label: t('Start the embedded lab instead (real Tempo and Prometheus here, no Docker)', '改用內建實驗環境（在這台機器上執行真的 Tempo 與 Prometheus，不需要 Docker）') }] : []),
        { value: 'quit', label: t('Quit', '離開') },
      ],
    });
    if (p.isCancel(choice) || choice === 'quit') {
      p.outro(t('See you.', '下次見。'), o);
      return 0;
    }
    try {
      switch (choice) {
        case 'continue':
          await execute([next!], 'run', lab, io, flags);
          break;
        case 'pick': {
          const ch = await pickChapter(t('Which chapter?', '哪一章？'));
          if (ch) await execute([ch], 'run', lab, io, flags);
          break;
        }
        case 'read': {
          const ch = await pickChapter(t('Which lesson?', '哪一課？'));
          // plain lines, no box around them: a command copied from the lesson pastes clean
          if (ch) {
            p.log.step(say(ch.title, lab.lang), o);
            io.stdout.write(`\n${await lessonText(ch, lab, io.stdout)}\n\n`);
          }
          break;
        }
        case 'verify': {
          const { selectChapters } = await import('../core/catalog.js');
          await execute(selectChapters('all'), 'verify', lab, io, flags);
          break;
        }
        case 'status':
          p.note(renderStatus(store.data, store.file, lab.lang, lab), undefined, o);
          break;
        case 'reset':
          await (await import('./reset.js')).run({ lab, io, flags });
          break;
        case 'exercise': {
          const { EXERCISES } = await import('../lab/exercises.js');
          const id = await p.select({
            ...o,
            message: t('Which exercise?', '哪一題？') + keys,
            // solved or not is in the label: clack shows a hint only under the cursor
            options: EXERCISES.map((e) => ({ value: e.id, label: fit(`${store.data.exercises?.[e.id]?.solvedAt ? '✔' : '·'} ${say(e.title, lab.lang)}`, room - 30), hint: e.id })),
          });
          if (p.isCancel(id)) break;
          await (await import('./exercise.js')).run({ lab, io, flags: {}, positionals: [id] });
          break;
        }
        case 'practice': {
          const { CHALLENGES } = await import('../lab/challenges.js');
          const id = await p.select({
            ...o,
            message: t('Which challenge?', '哪一個挑戰？') + keys,
            options: CHALLENGES.map((c) => ({ value: c.id, label: `${({ fixed: '✔', broken: '✖', reset: '·' } as const)[store.data.challenges?.[c.id]?.status ?? 'reset']} ${say(c.title, lab.lang)}`, hint: c.id })),
          });
          if (p.isCancel(id)) break;
          const action = await p.select({
            ...o,
            message: t('What now?', '要做什麼？') + keys,
            options: [
              { value: 'start', label: t('Start: break the lab (asks first)', '開始：弄壞實驗環境（會先確認）') },
              { value: 'check', label: t('Check my fix', '檢查我的修復') },
              { value: 'hint', label: t('A hint', '給我提示') },
              { value: 'reset', label: t('Reset: the article\'s values back', '還原：改回文章的設定') },
            ],
          });
          if (p.isCancel(action)) break;
          await (await import('./challenge.js')).run({ lab, io, flags, positionals: [action, id] });
          break;
        }
        case 'down':
          await execute([teardownChapter()], 'run', lab, io, flags);
          break;
        case 'lab-up':
        case 'lab-down':
          await (await import('./lab.js')).run({ lab, io, flags, positionals: [choice === 'lab-up' ? 'up' : 'down'] });
          await relab();
          break;
      }
    } catch (err) {
      // a declined or cancelled action, or a usage error, returns to the menu with its message
      if (!(err instanceof CancelledError || err instanceof UsageError || err instanceof WorkbookError)) throw err;
      if (!io.signal?.aborted) p.log.warn(err.message, o);
    }
    // Ctrl-C during an action stopped it (the run is aborted: nothing more would start): leave now, with 130,
    // rather than draw a menu whose every action would run nothing until the forced exit
    if (io.signal?.aborted) {
      p.outro(say({ en: 'Interrupted: progress is saved. `workbook` continues where you left off.', 'zh-TW': '已中斷：進度已儲存。再次執行 `workbook` 會從中斷處繼續。' }, lab.lang), o);
      return 130;
    }
  }
}

export const run = ({ lab, io, flags }: CommandInput) => menu(lab, io, flags);
