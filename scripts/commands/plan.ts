import { formatCommand } from '../lib/format.js';
import type { Chapter, Lab } from '../lib/model.js';
import { say } from '../lib/text.js';

const L = {
  head: { en: 'Plan', 'zh-TW': '執行計畫' },
  nothing: { en: 'Nothing is run; every command is shown exactly as `workbook run` would run it (from the repository folder).', 'zh-TW': '此處不會執行任何指令；每個指令都與 `workbook run` 實際執行的完全相同（於專案資料夾中執行）。' },
  why: { en: 'why', 'zh-TW': '原因' },
  manifest: { en: 'manifest', 'zh-TW': 'manifest 檔' },
  checks: { en: 'checks', 'zh-TW': '檢查' },
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
    for (const step of ch.steps) {
      const cmd = step.command(lab);
      out.push(`   $ ${formatCommand(cmd.argv)}`);
      out.push(`     ${say(L.why, lang)}: ${say(step.why, lang)}`);
      for (const m of step.manifests ?? []) out.push(`     ${say(L.manifest, lang)}: ${m}`);
      if (step.destructive) out.push(`     (${say(L.confirm, lang)})`);
    }
    if (ch.checks.length) {
      out.push(`   ${say(L.checks, lang)}:`);
      for (const c of ch.checks) out.push(`   - ${say(c.title, lang)}`);
    }
  }
  return out.join('\n') + '\n';
}
