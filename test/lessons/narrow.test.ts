// A narrow terminal (20 columns): every lesson line fits, but for a single word wider than the screen.
import { describe, expect, it } from 'vitest';
import { CATALOG, readLesson } from '../../scripts/core/catalog.js';
import { renderMarkdown } from '../../scripts/core/markdown.js';

const cols = (s: string) => [...s].reduce((n, c) => n + (/[\u1100-\u115f\u2e80-\ua4cf\uac00-\ud7a3\uf900-\ufaff\ufe30-\ufe4f\uff00-\uff60\uffe0-\uffe6]/.test(c) ? 2 : 1), 0);

describe('lessons in a 20-column terminal', () => {
  it.each(CATALOG.flatMap((c) => (['en', 'zh-TW'] as const).map((lang) => [`${c.dir} ${lang}`, c, lang] as const)))('%s wraps at 20 columns', async (_name, ch, lang) => {
    const text = renderMarkdown(await readLesson(ch, lang), { width: 20, color: false });
    const over = text.split('\n').filter((l) => cols(l) > 20 && !/^\s*(?:[-\d.]+\s)?\S+$/.test(l.trim()) && !l.startsWith('  '));
    expect(over).toEqual([]);
  });
});
