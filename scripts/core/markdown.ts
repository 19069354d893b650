/**
 * Lessons are Markdown; a terminal shows them rendered: headings and **bold** in bold, `code` set apart, paragraphs
 * and list items re-flowed to the terminal's width (the source's hard line breaks would leave one-word lines),
 * indented code blocks kept as they are. Wide (CJK) characters count two columns and may break anywhere, so the
 * Traditional Chinese lessons wrap too. Without colour the markers are simply dropped.
 */

const B_ON = '\uE000';
const B_OFF = '\uE001';
const C_ON = '\uE002';
const C_OFF = '\uE003';
const MARKS = /[\uE000-\uE003]/g;

const wide = (ch: string) => /[\u1100-\u115f\u2e80-\ua4cf\uac00-\ud7a3\uf900-\ufaff\ufe30-\ufe4f\uff00-\uff60\uffe0-\uffe6]/.test(ch);
/** Terminal columns a string takes (wide CJK characters count two). */
export const cols = (s: string) => [...s.replace(MARKS, '')].reduce((n, ch) => n + (wide(ch) ? 2 : 1), 0);

function inline(s: string): string {
  return s
    .replace(/\*\*(.+?)\*\*/g, `${B_ON}$1${B_OFF}`)
    .replace(/`([^`]+)`/g, `${C_ON}$1${C_OFF}`)
    .replace(/(^|[\s(])\*([^*\s][^*]*)\*(?=[\s).,;:!?]|$)/g, '$1$2');
}

/** Join source lines of one paragraph: a space between words, none between two CJK characters. */
function join(lines: string[]): string {
  return lines
    .map((l) => l.trim())
    .reduce((acc, l) => (!acc ? l : wide(acc.at(-1)!) && wide(l[0]!) ? acc + l : `${acc} ${l}`), "");
}

/** Break into pieces that may start a new line: words with their space, or single wide characters. */
function pieces(s: string): string[] {
  const out: string[] = [];
  let word = '';
  for (const ch of s) {
    if (wide(ch)) {
      if (word) out.push(word), (word = '');
      out.push(ch);
    } else if (ch === ' ') {
      out.push(word + ' ');
      word = '';
    } else word += ch;
  }
  if (word) out.push(word);
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

export function renderMarkdown(md: string, o: { width: number; color: boolean }): string {
  // as narrow as the terminal is (a 20-column one too); only a single word wider than it stays whole
  const width = Math.max(10, Math.min(o.width, 100));
  const out: string[] = [];
  const blocks = md.replace(/\r\n/g, '\n').split(/\n\s*\n/);
  for (const block of blocks) {
    const lines = block.split('\n').filter((l, i, a) => l.trim() || i < a.length - 1);
    if (!lines.length) continue;
    if (lines.every((l) => /^( {4}|\t)/.test(l)) || lines[0]!.startsWith('```')) {
      out.push(lines.filter((l) => !l.startsWith('```')).map((l) => `  ${l.replace(/^( {4}|\t)/, '')}`).join('\n'), '');
      continue;
    }
    const heading = /^#{1,6}\s+(.*)$/.exec(lines[0]!);
    if (heading && lines.length === 1) {
      out.push(...wrap(heading[1]!, width, '', '').map((l) => `${B_ON}${l}${B_OFF}`), '');
      continue;
    }
    // list items: "- x" or "1. x", continuation lines indented
    if (/^\s*([-*]|\d+\.)\s+/.test(lines[0]!)) {
      const items: { marker: string; indent: string; text: string[] }[] = [];
      for (const l of lines) {
        const m = /^(\s*)([-*]|\d+\.)\s+(.*)$/.exec(l);
        if (m) items.push({ marker: m[2] === '*' ? '-' : m[2]!, indent: m[1]!, text: [m[3]!] });
        else items.at(-1)?.text.push(l);
      }
      for (const it of items) {
        const first = `${it.indent}${it.marker} `;
        out.push(...wrap(inline(join(it.text)), width, first, ' '.repeat(cols(first))));
      }
      out.push('');
      continue;
    }
    out.push(...wrap(inline(join(lines)), width, '', ''), '');
  }
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
