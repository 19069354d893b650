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

