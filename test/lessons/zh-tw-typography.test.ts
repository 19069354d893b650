// The zh-TW lessons read as Traditional Chinese text should: no line begins with a punctuation mark (a wrapped
// line that starts with "，" or "（" reads as a stray mark), and no space stands before a full-width one.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ROOT } from '../helpers/fakes.js';
import { renderMarkdown } from '../../scripts/core/markdown.js';

const PUNCT = '，。、；：？！）」』】》…（「『【《';
const lessons = readdirSync(join(ROOT, 'chapters')).filter((d) => /^\d{2}-/.test(d)).map((d) => join(ROOT, 'chapters', d, 'lesson.zh-TW.md'));

describe('zh-TW lessons: typography', () => {
  it.each(lessons.map((f) => [f.split('/').at(-2)!, f]))('%s', (_, file) => {
    const problems: string[] = [];
    readFileSync(file, 'utf8')
      .split('\n')
      .forEach((line, i) => {
        // a list marker or a heading's hashes come first; the text after them is what must not start with a mark
        const text = line.replace(/^\s*(?:[-*]\s+|\d+\.\s+|#+\s+|>\s*)?/, '');
        if (text && PUNCT.includes(text[0]!)) problems.push(`${i + 1}: starts with "${text[0]}": ${line.slice(0, 40)}`);
        if (/ [，。、；：？！）」』】》]/.test(line)) problems.push(`${i + 1}: a space before full-width punctuation: ${line.slice(0, 40)}`);
        // a number or a version broken over two lines
        if (/^\s*\d+(\.\d+)+[，。]/.test(line)) problems.push(`${i + 1}: a version starts the line: ${line.slice(0, 40)}`);
      });
    expect(problems).toEqual([]);
  });

  it.each(lessons.map((f) => [f.split('/').at(-2)!, f]))('%s, rendered at 20, 40 and 80 columns: no line starts with a closing mark or ends with an opening one', (_, file) => {
    const md = readFileSync(file, 'utf8');
    for (const width of [20, 40, 80]) {
      for (const line of renderMarkdown(md, { width, color: false }).split('\n')) {
        const text = line.replace(/^\s*(?:[-│]\s+|\d+\.\s+)?/, '');
        expect(!!text && '，。、；：？！）」』】》'.includes(text[0]!), `${width}: ${line}`).toBe(false);
        expect(/[（「『【《]$/.test(line), `${width}: ${line}`).toBe(false);
      }
    }
  });
});
