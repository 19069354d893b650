import { existsSync } from 'node:fs';
import { readBounded } from './read.js';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { UsageError } from './errors.js';
import type { Chapter, ChapterSpec } from './model.js';
import { CHAPTERS } from './paths.js';
import { CHAPTER_FOLDER, chapterFolderProblems, chapterFolders } from './chapter-folders.js';

export { CHAPTER_FOLDER, chapterFolderProblems, chapterFolders };
import type { Lang } from './text.js';

/** Where a chapter's code is: compiled beside this module (dist/chapters/…/index.js), or the sources under tsx/vitest. */
function moduleOf(folder: string): string {
  const here = dirname(fileURLToPath(import.meta.url));
  const base = join(here, '../../chapters', folder);
  return existsSync(join(base, 'index.js')) ? join(base, 'index.js') : join(base, 'index.ts');
}

/** Walk chapters/: each folder's module gives the chapter; its number and id come from the folder's name. */
async function loadCatalog(): Promise<Chapter[]> {
  const chapters = await Promise.all(
    chapterFolders().map(async (dir) => {
      const [, nn, id] = CHAPTER_FOLDER.exec(dir)!;
      const mod = (await import(pathToFileURL(moduleOf(dir)).href)) as { chapter?: ChapterSpec };
      if (!mod.chapter) throw new Error(`chapters/${dir}/index.ts exports no chapter`);
      return { ...mod.chapter, number: Number(nn), id: id!, dir, after: mod.chapter.after ?? (null as unknown as string[]) };
    }),
  );
  const ids = new Set<string>();
  for (const c of chapters) {
    if (ids.has(c.id)) throw new Error(`two chapter folders are called ${c.id}`);
    ids.add(c.id);
  }
  const ordered = [...chapters.filter((c) => c.role !== 'teardown'), ...chapters.filter((c) => c.role === 'teardown')];
  ordered.forEach((c, i) => {
    // not declared: the chapter before it (a teardown waits for nothing: it is never part of `all`)
    if (c.after === null) c.after = c.role === 'teardown' || i === 0 ? [] : [ordered[i - 1]!.id];
    for (const a of c.after) if (!ids.has(a) || a === c.id) throw new Error(`chapters/${c.dir}: after names ${a}, which is not another chapter`);
  });
  return ordered;
}

export const CATALOG: readonly Chapter[] = await loadCatalog();

/** The teardown chapter (`workbook down`). */
export function teardownChapter(): Chapter {
  const t = CATALOG.find((c) => c.role === 'teardown');
  if (!t) throw new UsageError('no teardown chapter in chapters/');
  return t;
}

/** The chapter after `ch` in a learner's path (never the teardown). */
export function nextAfter(ch: Chapter): Chapter | undefined {
  const i = CATALOG.indexOf(ch);
  const next = i >= 0 ? CATALOG[i + 1] : undefined;
  return next && next.role !== 'teardown' ? next : undefined;
}

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
  if (arg === undefined || arg.toLowerCase() === 'all') return CATALOG.filter((c) => c.role !== 'teardown');
  return [findChapter(arg)];
}

export function lessonPath(chapter: Chapter, lang: Lang): string {
  return join(CHAPTERS, chapter.dir, `lesson.${lang}.md`);
}

export async function readLesson(chapter: Chapter, lang: Lang): Promise<string> {
  return readBounded(lessonPath(chapter, lang));
}

/**
 * The dev check over references: every `needs` of every check, and every extra reference (a challenge's `breaks`),
 * names a check that exists ("chapter/check"); `needs` make no cycle (a check would wait for itself forever).
 */
export function referenceProblems(chapters: readonly Chapter[], extra: { from: string; ref: string }[] = []): string[] {
  const problems: string[] = [];
  const exists = new Set(chapters.flatMap((c) => c.checks.map((k) => `${c.id}/${k.id}`)));
  const needs = new Map<string, string[]>();
  for (const c of chapters) {
    for (const k of c.checks) {
      const me = `${c.id}/${k.id}`;
      needs.set(me, (k.needs ?? []).map((n) => n.check));
      for (const n of k.needs ?? []) if (!exists.has(n.check)) problems.push(`${me}: needs ${n.check}, which is not a check`);
    }
  }
  for (const x of extra) if (!exists.has(x.ref)) problems.push(`${x.from}: names ${x.ref}, which is not a check`);
  // a cycle: a depth-first walk that comes back to a check on its own path
  const state = new Map<string, 'open' | 'done'>();
  const walk = (ref: string, path: string[]): void => {
    if (state.get(ref) === 'done') return;
    if (state.get(ref) === 'open') {
      problems.push(`needs make a cycle: ${[...path.slice(path.indexOf(ref)), ref].join(' → ')}`);
      return;
    }
    state.set(ref, 'open');
    for (const n of needs.get(ref) ?? []) walk(n, [...path, ref]);
    state.set(ref, 'done');
  };
  for (const ref of needs.keys()) walk(ref, []);
  return problems;
}
