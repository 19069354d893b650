// What crosses into the instructor's board: an attendee's POST body, and each line of the board's store read back.
// One zod schema each; their z.infer are the only types the board and its views use. Everything is bounded here,
// before the board keeps or shows it: strings cut on code points and cleaned of control, bidi and zero-width
// characters; numbers in range (a chapter number is what a chapter folder can be named: two digits); arrays and
// records of a few dozen entries; unknown fields dropped. A body nested deeper than a report can be is refused
// before it is parsed (parsing, and later printing, deep JSON is recursive).
import { z } from 'zod';
import { CHAPTER_STATES, ITEM_STATUSES } from './verdict.js';

export const BOARD_LIMITS = { id: 80, name: 80, evidence: 2000, hint: 1000, chapters: 40, items: 80, entries: 64, depth: 12 } as const;

/** C0/C1 controls, bidi embeddings/overrides/isolates and marks, zero-width characters and the BOM. */
const INVISIBLE = /[\u0000-\u001f\u007f-\u009f\u061c\u200b-\u200f\u202a-\u202e\u2060-\u2069\ufeff]/g;

/** Text an attendee sent, as the board keeps it: invisible characters become spaces (or go), cut to `max` code points. */
export function cleanText(s: string, max: number): string {
  const flat = s.replace(INVISIBLE, (c) => (c === '\t' || c === '\n' || c === '\r' ? ' ' : ''));
  return Array.from(flat).slice(0, max).join('').trim();
}

const text = (max: number) => z.string().transform((s) => cleanText(s, max));
const name = (max: number) => text(max).pipe(z.string().min(1, 'empty once invisible characters are removed'));
/** A duration in ms: at most a year. */
const ms = z.number().finite().min(0).max(365 * 24 * 3600 * 1000);
const isoTime = z.string().max(40).refine((s) => Number.isFinite(Date.parse(s)), 'not a time');
/** A record of at most `BOARD_LIMITS.entries` entries, keys cut like names. */
const record = <T extends z.ZodTypeAny>(value: T) =>
  z
    .record(z.string().max(BOARD_LIMITS.id), value)
    .refine((r) => Object.keys(r).length <= BOARD_LIMITS.entries, `at most ${BOARD_LIMITS.entries} entries`);

const HintSchema = z.object({ en: text(BOARD_LIMITS.hint), 'zh-TW': text(BOARD_LIMITS.hint).optional() });
const ItemSchema = z.object({
  id: name(BOARD_LIMITS.id),
  status: z.enum(ITEM_STATUSES as [string, ...string[]]),
  evidence: text(BOARD_LIMITS.evidence).optional(),
  hint: HintSchema.optional(),
});
const ChapterSchema = z.object({
  number: z.number().int().min(0).max(99),
  id: name(BOARD_LIMITS.id),
  state: z.enum(CHAPTER_STATES as [string, ...string[]]),
  items: z.array(ItemSchema).max(BOARD_LIMITS.items).optional(),
});
const ProgressSchema = z.object({
  solvedAt: isoTime.optional(),
  timeToSolveMs: ms.optional(),
  status: text(20).optional(),
  timeToFixMs: ms.optional(),
  hintsUsed: z.number().int().min(0).max(1000).optional(),
});

/** A workbook's report as the board keeps it (report@2 from run/verify/watch/challenge check, exercise@1). */
export const BoardReportSchema = z.object({
  schema: text(60).optional(),
  lab: text(40).optional(),
  chapters: z.array(ChapterSchema).max(BOARD_LIMITS.chapters).optional(),
  challenges: record(ProgressSchema).optional(),
  exercises: record(ProgressSchema).optional(),
  exercise: name(BOARD_LIMITS.id).optional(),
  right: z.boolean().optional(),
  progress: ProgressSchema.optional(),
});
export type BoardReport = z.infer<typeof BoardReportSchema>;
export type BoardProgress = z.infer<typeof ProgressSchema>;
export type BoardChapter = z.infer<typeof ChapterSchema>;
export type BoardHint = z.infer<typeof HintSchema>;

const LearnerSchema = z.object({ id: name(BOARD_LIMITS.id), name: name(BOARD_LIMITS.name) });

/** What an attendee's workbook posts to /api/reports. */
export const BoardPostSchema = z.object({ id: name(BOARD_LIMITS.id), learner: LearnerSchema, report: BoardReportSchema });
export type BoardPost = z.infer<typeof BoardPostSchema>;

/** One line of the board's store: a report as it arrived. */
export const StoredReportSchema = BoardPostSchema.extend({ at: isoTime });
export type StoredReport = z.infer<typeof StoredReportSchema>;

/** How deep the JSON text nests (brackets outside strings), stopping as soon as it passes `max`. */
export function nestsDeeperThan(json: string, max: number): boolean {
  let depth = 0;
  let inString = false;
  for (let i = 0; i < json.length; i++) {
    const c = json.charCodeAt(i);
    if (inString) {
      if (c === 92 /* \ */) i++;
      else if (c === 34 /* " */) inString = false;
    } else if (c === 34) inString = true;
    else if (c === 91 /* [ */ || c === 123 /* { */) {
      if (++depth > max) return true;
    } else if (c === 93 || c === 125) depth--;
  }
  return false;
}

/** Parse an attendee's body: one line saying what is wrong, or the report as the board keeps it. */
export function parseBoardPost(raw: string): { ok: true; post: BoardPost } | { ok: false; error: string } {
  if (nestsDeeperThan(raw, BOARD_LIMITS.depth)) return { ok: false, error: `nested deeper than a report can be (${BOARD_LIMITS.depth} levels)` };
  let value: unknown;
  try {
    value = JSON.parse(raw);
  } catch {
    return { ok: false, error: 'not JSON' };
  }
  const r = BoardPostSchema.safeParse(value);
  if (!r.success) {
    const first = r.error.issues[0]!;
    return { ok: false, error: `${first.path.join('.') || 'the body'}: ${first.message}` };
  }
  return { ok: true, post: r.data };
}

const FailingSchema = z.object({ ref: text(2 * BOARD_LIMITS.id + 1), status: text(20), evidence: text(BOARD_LIMITS.evidence), hint: HintSchema.optional(), since: isoTime });
/** A cell of the board's grid: a chapter's state in the attendee's latest report of it, and its first check that did not pass. */
const CellSchema = z.object({
  state: z.enum(CHAPTER_STATES as [string, ...string[]]),
  at: isoTime,
  item: z.object({ ref: text(2 * BOARD_LIMITS.id + 1), status: text(20), evidence: text(BOARD_LIMITS.evidence), hint: HintSchema.optional() }).optional(),
});
export type BoardCell = z.infer<typeof CellSchema>;

/**
 * One attendee as the board knows them: every report folded in, in the order they arrived. The board keeps this,
 * not the reports (memory grows with attendees, not with reports), and writes it as one line when it compacts its
 * store.
 */
export const LearnerStateSchema = z.object({
  id: name(BOARD_LIMITS.id),
  name: name(BOARD_LIMITS.name),
  lastSeen: isoTime,
  /** the highest chapter number that passed */
  reached: z.number().int().min(0).max(99).nullable(),
  /** the check that fails or is blocked in the latest report with chapters, since when */
  failing: FailingSchema.nullable(),
  /** by chapter number: the grid's cells (a store written before the grid has none) */
  chapters: record(CellSchema).default({}),
  exercises: record(ProgressSchema),
  challenges: record(ProgressSchema),
  /** the ids of the reports folded in (the newest few hundred): a report sent again is stored once */
  ids: z.array(name(BOARD_LIMITS.id)).max(1000),
});
export type LearnerState = z.infer<typeof LearnerStateSchema>;

/** A line of the store: a report as it arrived, or (after compaction) an attendee's folded state. */
export const StoreLineSchema = z.union([StoredReportSchema, z.object({ kind: z.literal('learner'), state: LearnerStateSchema })]);
export type StoreLine = z.infer<typeof StoreLineSchema>;

/** Keep the newest `max` keys of a record (insertion order is arrival order). */
function newest<T>(r: Record<string, T>, max: number): Record<string, T> {
  const keys = Object.keys(r);
  return keys.length <= max ? r : Object.fromEntries(keys.slice(-max).map((k) => [k, r[k]!]));
}

/** Fold one report into what the board knows of its attendee. */
export function foldReport(prev: LearnerState | undefined, r: StoredReport): LearnerState {
  let reached = prev?.reached ?? null;
  let failing = prev?.failing ?? null;
  const chapters = r.report.chapters ?? [];
  for (const c of chapters) if (c.state === 'passed' && (reached === null || c.number > reached)) reached = c.number;
  if (chapters.length) {
    // the first check that fails or is blocked now; "since" carries over while it is the same one
    const bad = chapters.flatMap((c) => (c.items ?? []).filter((i) => i.status === 'failed' || i.status === 'blocked').map((i) => ({ c, i })))[0];
    if (!bad) failing = null;
    else {
      const ref = `${bad.c.id}/${bad.i.id}`;
      failing = { ref, status: bad.i.status, evidence: bad.i.evidence ?? '', ...(bad.i.hint ? { hint: bad.i.hint } : {}), since: failing?.ref === ref ? failing.since : r.at };
    }
  }
  const cells = { ...(prev?.chapters ?? {}) };
  for (const c of chapters) {
    const bad = (c.items ?? []).find((i) => i.status === 'failed' || i.status === 'blocked' || i.status === 'interrupted');
    delete cells[String(c.number)];
    cells[String(c.number)] = { state: c.state, at: r.at, ...(bad ? { item: { ref: `${c.id}/${bad.id}`, status: bad.status, evidence: bad.evidence ?? '', ...(bad.hint ? { hint: bad.hint } : {}) } } : {}) };
  }
  const exercises = { ...(prev?.exercises ?? {}) };
  for (const [id, p] of Object.entries(r.report.exercises ?? {})) {
    delete exercises[id];
    exercises[id] = p;
  }
  if (r.report.exercise && r.report.progress) {
    delete exercises[r.report.exercise];
    exercises[r.report.exercise] = r.report.progress;
  }
  return {
    id: r.learner.id,
    name: r.learner.name,
    lastSeen: r.at,
    reached,
    failing,
    chapters: newest(cells, BOARD_LIMITS.chapters),
    exercises: newest(exercises, BOARD_LIMITS.entries),
    challenges: r.report.challenges ?? prev?.challenges ?? {},
    ids: [...(prev?.ids ?? []), r.id].slice(-1000),
  };
}
