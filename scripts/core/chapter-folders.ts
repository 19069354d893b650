// The chapters' folders, read by name only (no chapter module is loaded): for the catalog, and for `--help`.
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { CHAPTERS } from './paths.js';

/** A chapter folder: two digits, a dash, the chapter's id (`05-traces`). */
export const CHAPTER_FOLDER = /^(\d{2})-([a-z0-9]+(?:-[a-z0-9]+)*)$/;

/**
 * The chapters' folders (lessons live there); a folder without both lessons is not a chapter. Sorted by number,
 * a teardown chapter last whatever its number.
 */
export function chapterFolders(dir = CHAPTERS): string[] {
  return readdirSync(dir, { withFileTypes: true })
    .filter((e) => e.isDirectory() && CHAPTER_FOLDER.test(e.name) && existsSync(join(dir, e.name, 'lesson.en.md')) && existsSync(join(dir, e.name, 'lesson.zh-TW.md')))
    .map((e) => e.name)
    .sort();
}


/**
 * The dev check's eye on chapters/ (as rustlings' `dev check`): every folder that looks like a chapter ("NN-…")
 * but would not be loaded, with the reason. chapterFolders() leaves such a folder out; this says so, loudly.
 */
export function chapterFolderProblems(dir = CHAPTERS): string[] {
  const problems: string[] = [];
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    if (!e.isDirectory() || !/^\d{2}-/.test(e.name)) continue;
    if (!CHAPTER_FOLDER.test(e.name)) problems.push(`chapters/${e.name}: not a chapter folder name (two digits, a dash, an id of lowercase letters, digits and dashes)`);
    for (const f of ['lesson.en.md', 'lesson.zh-TW.md']) if (!existsSync(join(dir, e.name, f))) problems.push(`chapters/${e.name}: no ${f}`);
    if (!existsSync(join(dir, e.name, 'index.ts')) && !existsSync(join(dir, e.name, 'index.js'))) problems.push(`chapters/${e.name}: no index.ts`);
  }
  return problems;
}
