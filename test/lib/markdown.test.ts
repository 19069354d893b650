// The lesson renderer: marked parses (CommonMark/GFM), the workbook wraps for the terminal with CJK widths.
import { describe, expect, it } from 'vitest';
import { cols, renderMarkdown } from '../../scripts/core/markdown.js';

const plain = (md: string, width = 60) => renderMarkdown(md, { width, color: false });

describe('renderMarkdown', () => {
  it('a list right after a line is a list, not part of the paragraph', () => {
    expect(plain('The checks:\n- one\n- two')).toBe('The checks:\n\n- one\n- two\n');
  });

  it('emphasis inside Chinese text loses its asterisks', () => {
    expect(plain('這一步*失敗*了')).toBe('這一步失敗了\n');
    expect(plain('a **bold** and *soft* word')).toBe('a bold and soft word\n');
  });

  it('bold and code are marked in colour', () => {
    expect(renderMarkdown('**b** `c`', { width: 40, color: true })).toBe('\x1b[1mb\x1b[22m \x1b[36mc\x1b[39m\n');
  });

  it('re-flows source lines: a space between words, none between CJK characters; wraps at the width in columns', () => {
    expect(plain('one\ntwo')).toBe('one two\n');
    expect(plain('中文\n句子')).toBe('中文句子\n');
    const out = plain('這是一段很長的中文句子，用來測試在很窄的終端機上是否會正確換行。', 20);
    for (const line of out.trimEnd().split('\n')) expect(cols(line)).toBeLessThanOrEqual(20);
  });

  it('nested lists and ordered lists keep their markers and indentation; code blocks stay as they are', () => {
    expect(plain('- a\n  - b\n\n1. x\n2. y\n\nRun:\n\n    $ code --here\n')).toBe('- a\n  - b\n\n1. x\n2. y\n\nRun:\n\n  $ code --here\n');
  });
});
