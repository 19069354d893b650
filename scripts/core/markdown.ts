/**
 * Lessons are Markdown, parsed by marked (CommonMark and GFM); a terminal shows them rendered: headings and
 * **bold** in bold, `code` set apart, paragraphs and list items re-flowed to the terminal's width (the source's hard
 * line breaks would leave one-word lines), code blocks kept as they are. Wide (CJK) characters count two columns
 * and may break anywhere, so the Traditional Chinese lessons wrap too. Without colour the markers are dropped.
 */

import { Lexer, type Token, type Tokens } from 'marked';

const B_ON = '\uE000';
const B_OFF = '\uE001';
const C_ON = '\uE002';
const C_OFF = '\uE003';
const MARKS = /[\uE000-\uE003]/g;

const wide = (ch: string) => /[\u1100-\u115f\u2e80-\ua4cf\uac00-\ud7a3\uf900-\ufaff\ufe30-\ufe4f\uff00-\uff60\uffe0-\uffe6]/.test(ch);
/** Terminal columns a string takes (wide CJK characters count two). */
export const cols = (s: string) => [...s.replace(MARKS, '')].reduce((n, ch) => n + (wide(ch) ? 2 : 1), 0);

/** Break into pieces that may start a new line: words with their space, or single wide characters. */
/** Full-width marks that never begin a line, and those that never end one (kinsoku). */
const CLOSING = '，。、；：？！）」』】》…';
const OPENING = '（「『【《';

/**
 * Break into pieces that may start a new line: words with their space, or single wide characters; a closing mark
 * stays with what it closes, an opening one with what it opens (a line never starts with "，" or ends with "（").
 */
function pieces(s: string): string[] {
  const out: string[] = [];
  let word = '';
  let open = '';
  const push = (p: string) => {
    out.push(open + p);
    open = '';
  };
  for (const ch of s) {
    // the invisible bold/code marks: an end mark stays with what it ends, a start mark with what it starts
    if ((ch === B_OFF || ch === C_OFF) && !word && out.length && !open) {
      out[out.length - 1] += ch;
      continue;
    }
    if ((ch === B_ON || ch === C_ON) && !word) {
      open += ch;
      continue;
    }
    if (CLOSING.includes(ch)) {
      if (word) push(word), (word = '');
      if (out.length && !open) out[out.length - 1] = out[out.length - 1]!.trimEnd() + ch;
      else push(ch);
    } else if (OPENING.includes(ch)) {
      if (word) push(word), (word = '');
      open += ch;
    } else if (wide(ch)) {
      if (word) push(word), (word = '');
      push(ch);
    } else if (ch === ' ') {
      push(word + ' ');
      word = '';
    } else word += ch;
  }
  if (word || open) push(word);
  return out;
}

function wrap(text: string, width: number, first: string, rest: string): string[] {
  const lines: string[] = [];
  let line = first;
  let room = width - cols(first);
  for (const p of pieces(text)) {
    const w = cols(p.trimEnd());
    if (w > room && line.trim()) {
      lines.push(line.trimEnd());
      line = rest;
      room = width - cols(rest);
    }
    line += p;
    room -= cols(p);
  }
  if (line.trim()) lines.push(line.trimEnd());
  return lines;
}

/** Join a paragraph's source lines: a space between words, none next to full-width punctuation or between two CJK characters. */
function joinLines(s: string): string {
  return s.replace(/[ \t]*\n[ \t]*/g, (m, at: number) => {
    const before = s[at - 1] ?? '';
    const after = s[at + m.length] ?? '';
    return (wide(before) && wide(after)) || CLOSING.includes(before) || OPENING.includes(before) || CLOSING.includes(after) ? '' : ' ';
  });
}

/** Inline tokens as text with our bold/code marks (emphasis, which a terminal cannot show, is plain text). */
function inline(tokens: Token[] | undefined): string {
  return (tokens ?? [])
    .map((t) => {
      switch (t.type) {
        case 'strong':
          return `${B_ON}${inline((t as Tokens.Strong).tokens)}${B_OFF}`;
        case 'codespan':
          return `${C_ON}${(t as Tokens.Codespan).text.replace(/\n/g, ' ')}${C_OFF}`;
        case 'link': {
          const l = t as Tokens.Link;
          const text = inline(l.tokens);
          return text === l.href ? text : `${text} (${l.href})`;
        }
        case 'br':
          return '\n';
        case 'em':
        case 'del':
          return inline((t as Tokens.Em).tokens);
        case 'text':
          return 'tokens' in t && (t as Tokens.Text).tokens ? inline((t as Tokens.Text).tokens) : (t as Tokens.Text).text;
        default:
          return 'text' in t ? String((t as { text: string }).text) : t.raw;
      }
    })
    .join('');
}

function block(t: Token, width: number, indent: string, out: string[]): void {
  switch (t.type) {
    case 'space':
      return;
    case 'heading':
      out.push(...wrap(joinLines(inline((t as Tokens.Heading).tokens)), width, indent, indent).map((l) => `${B_ON}${l}${B_OFF}`), '');
      return;
    case 'paragraph':
      out.push(...wrap(joinLines(inline((t as Tokens.Paragraph).tokens)), width, indent, indent), '');
      return;
    case 'code':
      out.push((t as Tokens.Code).text.split('\n').map((l) => `${indent}  ${l}`).join('\n'), '');
      return;
    case 'blockquote': {
      const inner: string[] = [];
      for (const b of (t as Tokens.Blockquote).tokens) block(b, width, `${indent}│ `, inner);
      out.push(...inner);
      return;
    }
    case 'list': {
      const l = t as Tokens.List;
      l.items.forEach((item, i) => {
        const marker = l.ordered ? `${Number(l.start || 1) + i}.` : '-';
        const first = `${indent}${marker} `;
        const rest = ' '.repeat(cols(first));
        // an item's own text, then what it holds (a nested list, a second paragraph) under it
        const [head, ...more] = item.tokens;
        if (head && (head.type === 'text' || head.type === 'paragraph')) out.push(...wrap(joinLines(inline((head as Tokens.Text).tokens ?? [{ ...head, type: 'text' } as Token])), width, first, rest));
        else out.push(first.trimEnd());
        const inner: string[] = [];
        for (const b of head && (head.type === 'text' || head.type === 'paragraph') ? more : item.tokens) block(b, width, rest, inner);
        while (inner.at(-1) === '') inner.pop();
        out.push(...inner);
      });
      out.push('');
      return;
    }
    case 'hr':
      out.push(`${indent}${'─'.repeat(Math.max(3, width - cols(indent)))}`, '');
      return;
    case 'table': {
      const tb = t as Tokens.Table;
      const row = (cells: Tokens.TableCell[]) => cells.map((c) => inline(c.tokens)).join(' │ ');
      out.push(`${indent}${B_ON}${row(tb.header)}${B_OFF}`, ...tb.rows.map((r) => `${indent}${row(r)}`), '');
      return;
    }
    default:
      if ('tokens' in t && Array.isArray((t as { tokens?: Token[] }).tokens)) out.push(...wrap(joinLines(inline((t as { tokens: Token[] }).tokens)), width, indent, indent), '');
      else out.push(...wrap(joinLines(t.raw.trim()), width, indent, indent), '');
  }
}

export function renderMarkdown(md: string, o: { width: number; color: boolean }): string {
  // as narrow as the terminal is (a 20-column one too); only a single word wider than it stays whole
  const width = Math.max(10, Math.min(o.width, 100));
  const out: string[] = [];
  // CommonMark, by a maintained parser (marked): a list right after a line, emphasis inside CJK text, code
  // blocks and nesting are what the specification says they are; the terminal rendering (CJK widths) is ours
  for (const t of new Lexer({ gfm: true }).lex(md.replace(/\r\n/g, '\n'))) block(t, width, '', out);
  const text = out.join('\n').replace(/\n+$/, '\n');
  return o.color
    ? text.replaceAll(B_ON, '\x1b[1m').replaceAll(B_OFF, '\x1b[22m').replaceAll(C_ON, '\x1b[36m').replaceAll(C_OFF, '\x1b[39m')
    : text.replace(MARKS, '');
}

/** One line that fits `width` columns: cut, with an ellipsis, where it would wrap (a wrapped menu line garbles the redraw). */
export function fit(s: string, width: number): string {
  if (cols(s) <= width) return s;
  let out = '';
  for (const ch of s) {
    if (cols(out + ch) > width - 1) break;
    out += ch;
  }
  return `${out}…`;
}
