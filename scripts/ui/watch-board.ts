// `workbook watch`'s board: each check's state, its evidence and how long it has held, redrawn in place in a
// terminal; outside one, a line per change of a check's state. Fed by the run loop's events (scripts/core/session.ts).
import { formatDuration, printable } from '../core/format.js';
import type { ItemStatus, Outcome } from '../core/model.js';
import type { RunEvent } from '../core/session.js';
import { say, type Lang, type Text } from '../core/text.js';
import { MARK as ITEM_MARK, challengeFixed } from '../core/verdict.js';

export type CellState = ItemStatus | 'pending';

export interface Cell {
  /** "chapter/check" */
  ref: string;
  title: string;
  state: CellState;
  evidence: string;
  /** when the state last changed (ms, the clock's) */
  since: number;
}

const MARK: Record<CellState, string> = { ...ITEM_MARK, pending: '…' };

/** The checks' states; `apply` takes a run event and says which cell changed state (not just evidence). */
export class Board {
  readonly cells: Cell[];
  round = 0;
  constructor(cells: { ref: string; title: string }[], now: number) {
    this.cells = cells.map((c) => ({ ...c, state: 'pending', evidence: '', since: now }));
  }

  private cell(chapterId: string, id: string): Cell | undefined {
    return this.cells.find((c) => c.ref === `${chapterId}/${id}`);
  }

  private set(cell: Cell, state: CellState, evidence: string, now: number): Cell | undefined {
    const changed = cell.state !== state;
    cell.evidence = printable(evidence);
    if (!changed) return undefined;
    cell.state = state;
    cell.since = now;
    return cell;
  }

  /** An attempt that passes shows at once (a fix is seen mid-round); a final result settles the cell. */
  apply(e: RunEvent, now: number): Cell | undefined {
    if (e.type === 'attempt') {
      const cell = this.cell(e.chapter.id, e.id);
      return cell && e.outcome.ok ? this.set(cell, 'passed', (e.outcome as Outcome).evidence, now) : undefined;
    }
    if (e.type === 'item-finished' && e.item.kind === 'check') {
      const cell = this.cell(e.item.chapter.id, e.item.id);
      return cell ? this.set(cell, e.item.result.status, e.item.result.evidence, now) : undefined;
    }
    return undefined;
  }

  /** Every check has a result, none fails or is blocked, and one passed (the verdict of scripts/core/verdict.ts). */
  passing(): boolean {
    return !this.cells.some((c) => c.state === 'pending') && challengeFixed(this.cells.map((c) => c.state as ItemStatus), this.cells.length);
  }
}

const cut = (s: string, width: number) => (s.length > width ? `${s.slice(0, Math.max(0, width - 1))}…` : s);

/** The board as lines for a terminal of `width` columns. */
export function renderBoard(board: Board, o: { head: string; foot: string; now: number; width: number; lang: Lang }): string[] {
  const lines = [...o.head.split('\n').map((l) => cut(l, o.width)), ''];
  for (const c of board.cells) {
    const held = c.state === 'pending' ? '' : ` (${say(HELD, o.lang)} ${formatDuration(Math.max(0, o.now - c.since))})`;
    lines.push(cut(`${MARK[c.state]} ${c.title}${held}`, o.width));
    if (c.evidence) lines.push(cut(`    ${c.evidence}`, o.width));
  }
  lines.push('', ...o.foot.split('\n').map((l) => cut(l, o.width)));
  return lines;
}

const HELD: Text = { en: 'for', 'zh-TW': '已持續' };

/** One line for a change of state (outside a terminal). */
export function changeLine(cell: Cell, at: Date): string {
  return `${at.toISOString().slice(11, 19)} ${MARK[cell.state]} ${cell.ref} — ${cell.evidence}`;
}

/** Redraws in place: the cursor goes back over the previous board and everything below it is erased. */
export class Redraw {
  private lines = 0;
  constructor(private readonly out: NodeJS.WritableStream) {}
  draw(lines: string[]): void {
    const up = this.lines ? `\x1b[${this.lines}A\r\x1b[0J` : '';
    this.out.write(`${up}${lines.join('\n')}\n`);
    this.lines = lines.length;
  }
  /** Lines the terminal added below the board (a typed line echoed back): the next redraw goes up over them too. */
  below(n: number): void {
    this.lines += n;
  }
}
