import { UsageError, write, type CommandInput } from './kit.js';
import { formatCommand, formatDuration, showCommand } from '../core/format.js';
import type { Challenge, Chapter, Lab } from '../core/model.js';
import { tempoGeneration } from '../core/engine.js';
import { say } from '../core/text.js';
import { COMMON, type CommandSpec } from '../cli/options.js';

/** Its usage, summary and flags: read by the parser and by `--help`. */
export const spec: CommandSpec = {
  name: 'plan',
  usage: 'plan [chapter|all|challenges]',
  positional: 'chapter-or-all',
  flags: [...COMMON, 'fast'],
  own: {
    spoilers: { type: 'boolean', help: { en: 'plan challenges: also the checks each fault breaks, and the fault itself', 'zh-TW': 'plan challenges：同時列出每個故障會破壞的檢查，以及故障本身' } },
  },
  summary: { en: 'print every command and manifest a chapter would use; runs nothing', 'zh-TW': '列出章節會執行的所有指令與 manifest，不實際執行' },
};

const L = {
  head: { en: 'Plan', 'zh-TW': '執行計畫' },
  nothing: { en: 'Nothing is run; every command is shown exactly as `workbook run` would run it (from the repository folder).', 'zh-TW': '此處不會執行任何指令；每個指令都與 `workbook run` 實際執行的完全相同（於專案資料夾中執行）。' },
  why: { en: 'why', 'zh-TW': '原因' },
  manifest: { en: 'manifest', 'zh-TW': 'manifest 檔' },
  checks: { en: 'checks', 'zh-TW': '檢查' },
  otherTempo: { en: '(all of another Tempo generation than this profile\'s: see --profile)', 'zh-TW': '（全都屬於與此版本組合不同世代的 Tempo：請見 --profile）' },
  noSteps: { en: '(no commands: this chapter only checks)', 'zh-TW': '（本章不執行指令，只做檢查）' },
  confirm: { en: 'asks first', 'zh-TW': '執行前會先確認' },
} as const;

/** A pure rendering of what would run: no port is touched. */
export function renderPlan(chapters: readonly Chapter[], lab: Lab): string {
  const lang = lab.lang;
  const out: string[] = [
    `${say(L.head, lang)}: profile ${lab.profile.name}, cluster ${lab.clusterName}, context ${lab.context}`,
    say(L.nothing, lang),
  ];
  for (const ch of chapters) {
    out.push('', `${ch.number}. ${say(ch.title, lang)}  [${ch.id}]`);
    if (!ch.steps.length) out.push(`   ${say(L.noSteps, lang)}`);
    for (const step of ch.steps.filter((x) => !x.onlyIf || x.onlyIf.when(lab))) {
      const cmd = step.command(lab);
      out.push(`   $ ${formatCommand(cmd.argv)}`);
      out.push(`     ${say(L.why, lang)}: ${say(step.why, lang)}`);
      for (const m of step.manifestsFor?.(lab) ?? step.manifests ?? []) out.push(`     ${say(L.manifest, lang)}: ${m}`);
      if (step.destructive) out.push(`     (${say(L.confirm, lang)})`);
    }
    if (ch.checks.length) {
      // a check of the other Tempo generation is not this profile's (the ingester ring on Tempo 3, Kafka on Tempo 2)
      const mine = ch.checks.filter((x) => !x.tempo || x.tempo === tempoGeneration(lab));
      out.push(`   ${say(L.checks, lang)}:${mine.length ? '' : ` ${say(L.otherTempo, lang)}`}`);
      for (const c of mine) out.push(`   - ${say(c.title, lang)}`);
    }
  }
  return out.join('\n') + '\n';
}

/** `plan all --fast`: the jobs, what each waits for, and the critical path with typical durations. */
export async function renderFastPlan(lab: Lab): Promise<string> {
  const { criticalPath, describeJob, FAST_PLAN } = await import('../cli/fast.js');
  const lang = lab.lang;
  const out = [
    `${say(L.head, lang)} (--fast): profile ${lab.profile.name}, cluster ${lab.clusterName}, context ${lab.context}`,
    say({ en: 'Each job starts as soon as the jobs it waits for are done; nothing is run here.', 'zh-TW': '每項工作在它所等待的工作完成後立即開始；此處不會執行任何指令。' }, lang),
    '',
  ];
  for (const j of FAST_PLAN) {
    out.push(`${j.id.padEnd(20)} ${say({ en: 'after', 'zh-TW': '等待' }, lang)}: ${j.deps.join(', ') || '—'}  (~${formatDuration(j.estimateMs)})`);
    out.push(`${''.padEnd(20)} ${describeJob(j, lab)}`);
  }
  const cp = criticalPath(FAST_PLAN);
  out.push(
    '',
    say({ en: `Critical path (typical durations): ${cp.path.join(' → ')} ≈ ${formatDuration(cp.totalMs)}; one after another ≈ ${formatDuration(cp.sequentialMs)}.`, 'zh-TW': `關鍵路徑（典型耗時）：${cp.path.join(' → ')} ≈ ${formatDuration(cp.totalMs)}；依序執行 ≈ ${formatDuration(cp.sequentialMs)}。` }, lang),
  );
  return out.join('\n') + '\n';
}

/** `plan challenges` or `plan <challenge>`: each fault's commands and its reset, as `challenge start` shows them. */
export async function renderChallengePlan(challenges: readonly Challenge[], catalog: readonly Chapter[], lab: Lab, spoilers = false): Promise<string> {
  const { faultSteps, notOnThisLab } = await import('../lab/challenges.js');
  const lang = lab.lang;
  const out = [`${say(L.head, lang)}: ${say({ en: 'challenges', 'zh-TW': '挑戰' }, lang)}, profile ${lab.profile.name}, cluster ${lab.clusterName}, context ${lab.context}`, say(L.nothing, lang)];
  for (const c of challenges) {
    out.push('', `${c.id}: ${say(c.title, lang)}`, `   ${say({ en: 'symptom', 'zh-TW': '症狀' }, lang)}: ${say(c.symptom, lang)}`);
    const refused = notOnThisLab(c, lab);
    if (refused) {
      out.push(`   (${refused})`);
      continue;
    }
    const { start, reset } = faultSteps(c, catalog, lab);
    for (const [label, steps] of [[{ en: 'start', 'zh-TW': '開始' }, start], [{ en: 'reset', 'zh-TW': '還原' }, reset]] as const) {
      for (const step of steps) {
        // a fault's command, and the reset that undoes it, name the cause: shown with --spoilers
        if (!spoilers) {
          out.push(`   ${say(label, lang)}: $ ${say({ en: '(hidden: it would name the cause; --spoilers shows it)', 'zh-TW': '（已隱藏：它會說出原因；--spoilers 會顯示）' }, lang)}`);
          if (step.destructive) out.push(`     (${say(L.confirm, lang)})`);
          continue;
        }
        out.push(`   ${say(label, lang)}: $ ${showCommand(step.command(lab))}`);
        out.push(`     ${say(L.why, lang)}: ${say(step.why, lang)}`);
        for (const m of step.manifestsFor?.(lab) ?? step.manifests ?? []) out.push(`     ${say(L.manifest, lang)}: ${m}`);
        if (step.destructive) out.push(`     (${say(L.confirm, lang)})`);
      }
    }
    // what it breaks names the cause: only with --spoilers
    if (spoilers) out.push(`   ${say(L.checks, lang)}: ${c.breaks.join(', ')}`, `   ${say({ en: 'the fault', 'zh-TW': '故障' }, lang)}: ${say(c.cause, lang)}`);
  }
  return out.join('\n') + '\n';
}

/** `workbook plan [chapter|all] [--fast]`: every command and manifest, exactly as run would use them; runs nothing. */
export async function run({ lab, io, flags, positional }: CommandInput): Promise<number> {
  if (flags.fast) {
    if (positional && positional !== 'all') throw new UsageError('--fast plans the whole lab: use `workbook plan all --fast`');
    write(io.stdout, await renderFastPlan(lab));
    return 0;
  }
  const { selectChapters, CATALOG } = await import('../core/catalog.js');
  const { CHALLENGES } = await import('../lab/challenges.js');
  const challenges = positional === 'challenges' ? CHALLENGES : CHALLENGES.filter((c) => c.id === positional);
  if (challenges.length) {
    write(io.stdout, await renderChallengePlan(challenges, CATALOG, lab, Boolean(flags.spoilers)));
    return 0;
  }
  write(io.stdout, renderPlan(selectChapters(positional), lab));
  return 0;
}
