import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { chapter as c0 } from '../../chapters/00-prerequisites/index.js';
import { chapter as c1 } from '../../chapters/01-cluster/index.js';
import { chapter as c2 } from '../../chapters/02-prometheus/index.js';
import { chapter as c3 } from '../../chapters/03-tempo/index.js';
import { chapter as c4 } from '../../chapters/04-traffic/index.js';
import { chapter as c5 } from '../../chapters/05-traces/index.js';
import { chapter as c6 } from '../../chapters/06-metrics-generator/index.js';
import { chapter as c7 } from '../../chapters/07-grafana/index.js';
import { chapter as c8 } from '../../chapters/08-teardown/index.js';
import { UsageError } from './errors.js';
import type { Chapter } from './model.js';
import { CHAPTERS } from './paths.js';
import type { Lang } from './text.js';

export const CATALOG: readonly Chapter[] = [c0, c1, c2, c3, c4, c5, c6, c7, c8];

export function chapterList(): string {
  return CATALOG.map((c) => `${c.number} ${c.id}`).join(', ');
}

/** "3", "03", "tempo", "03-tempo" → chapter. */
export function findChapter(arg: string): Chapter {
  const a = arg.trim().toLowerCase();
  const found = CATALOG.find((c) => c.id === a || c.dir === a || (/^\d+$/.test(a) && Number(a) === c.number));
  if (!found) throw new UsageError({ en: `unknown chapter "${arg}" (chapters: ${chapterList()})`, 'zh-TW': `沒有 "${arg}" 這一章（章節：${chapterList()}）` });
  return found;
}

/** "all" or undefined-with-default-all → every chapter; otherwise one. Teardown is never part of "all". */
export function selectChapters(arg: string | undefined): Chapter[] {
  if (arg === undefined || arg.toLowerCase() === 'all') return CATALOG.filter((c) => c.id !== 'teardown');
  return [findChapter(arg)];
}

export function lessonPath(chapter: Chapter, lang: Lang): string {
  return join(CHAPTERS, chapter.dir, `lesson.${lang}.md`);
}

export async function readLesson(chapter: Chapter, lang: Lang): Promise<string> {
  return readFile(lessonPath(chapter, lang), 'utf8');
}
