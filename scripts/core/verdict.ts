// The verdict, defined once. Every place that says whether an item or a chapter passed (progress, `status`, the
// terminal, the JSON and JUnit reports, the watch board, `challenge check`, `run all --fast`) asks this module.
//
// Three outcomes never blur: passed (verified), failed, and not verified. "Not verified" has its reasons:
// - blocked: a check it needs failed or was itself blocked (the evidence names that check);
// - not-applicable: the check asks the cluster and the learner named the component's URL instead;
// - interrupted: Ctrl-C or SIGTERM arrived while it ran;
// - skipped: a step whose effect is already there (the cluster exists), so it did not run. Only steps skip.

export type ItemStatus = 'passed' | 'warned' | 'failed' | 'blocked' | 'not-applicable' | 'skipped' | 'interrupted';

export const ITEM_STATUSES: readonly ItemStatus[] = ['passed', 'warned', 'failed', 'blocked', 'not-applicable', 'skipped', 'interrupted'];

/**
 * How a chapter ended: `passed` only when no item failed, was blocked or interrupted, and at least one check was
 * verified (a chapter of steps only: a step ran or was already done). `not-applicable`: every check did not apply.
 */
export type ChapterState = 'passed' | 'failed' | 'blocked' | 'not-applicable' | 'interrupted';

export const CHAPTER_STATES: readonly ChapterState[] = ['passed', 'failed', 'blocked', 'not-applicable', 'interrupted'];

/** An item whose probe ran and holds (a warning is an advisory finding: the probe ran). */
export function verified(s: ItemStatus): boolean {
  return s === 'passed' || s === 'warned';
}

/** An item that holds the chapter back from passing. */
export function holdsBack(s: ItemStatus): boolean {
  return s === 'failed' || s === 'blocked' || s === 'interrupted';
}

export function chapterState(items: readonly { kind: 'step' | 'check'; status: ItemStatus }[], o: { interrupted?: boolean } = {}): ChapterState {
  if (o.interrupted || items.some((i) => i.status === 'interrupted')) return 'interrupted';
  if (items.some((i) => i.status === 'failed')) return 'failed';
  if (items.some((i) => i.status === 'blocked')) return 'blocked';
  const checks = items.filter((i) => i.kind === 'check');
  if (checks.length) return checks.some((i) => verified(i.status)) ? 'passed' : 'not-applicable';
  return items.some((i) => i.status === 'passed' || i.status === 'skipped') ? 'passed' : 'not-applicable';
}

/** How many items of each status but `passed`, those present, in the order of ITEM_STATUSES ("2 blocked, 1 not applicable"). */
export function otherCounts(statuses: readonly ItemStatus[]): [ItemStatus, number][] {
  return ITEM_STATUSES.filter((s) => s !== 'passed')
    .map((s) => [s, statuses.filter((x) => x === s).length] as [ItemStatus, number])
    .filter(([, n]) => n > 0);
}

/** A run's verdict over its chapters: ok when each is passed or not applicable, and at least one passed. */
export function runPassed(states: readonly ChapterState[]): boolean {
  return states.every((s) => s === 'passed' || s === 'not-applicable') && states.some((s) => s === 'passed');
}

/** A challenge is fixed when every check its fault breaks ran and none fails: not applicable ones aside, at least one passed. */
export function challengeFixed(statuses: readonly ItemStatus[], breaks: number): boolean {
  return statuses.length === breaks && statuses.every((s) => verified(s) || s === 'not-applicable') && statuses.some(verified);
}

/** One mark a status, the same in every view. */
export const MARK: Record<ItemStatus, string> = {
  passed: '✔',
  warned: '⚠',
  failed: '✖',
  blocked: '⊘',
  'not-applicable': '–',
  skipped: '↓',
  interrupted: '■',
};

export const CHAPTER_MARK: Record<ChapterState, string> = {
  passed: '✔',
  failed: '✖',
  blocked: '⊘',
  'not-applicable': '–',
  interrupted: '■',
};

/** The words for each status, both languages (status, summary, watch board). */
export const STATUS_WORDS: Record<ItemStatus | ChapterState | 'running', { en: string; 'zh-TW': string }> = {
  passed: { en: 'passed', 'zh-TW': '通過' },
  warned: { en: 'warned', 'zh-TW': '警告' },
  failed: { en: 'failed', 'zh-TW': '失敗' },
  blocked: { en: 'blocked', 'zh-TW': '受阻' },
  'not-applicable': { en: 'not applicable', 'zh-TW': '不適用' },
  skipped: { en: 'already done', 'zh-TW': '已完成' },
  interrupted: { en: 'interrupted', 'zh-TW': '已中斷' },
  running: { en: 'running', 'zh-TW': '執行中' },
};
