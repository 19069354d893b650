// A challenge keeps its secret (issue: the learner's path): each has a list of words that would give its cause away,
// its cause says them, its symptom (on each lab) does not; `challenge check` cuts a line before the first of them.
import { describe, expect, it } from 'vitest';
import { CHALLENGES, symptomOf, withoutCause } from '../../scripts/lab/challenges.js';

const holds = (text: string, words: readonly string[]) => words.filter((w) => text.toLowerCase().includes(w.toLowerCase()));

describe('challenges keep their secret', () => {
  it.each(CHALLENGES.map((c) => c.id))('%s: its cause words are in its cause and in neither symptom nor title, on either lab', (id) => {
    const c = CHALLENGES.find((x) => x.id === id)!;
    expect(c.causeWords.length).toBeGreaterThan(0);
    for (const lang of ['en', 'zh-TW'] as const) {
      expect(holds(c.cause[lang], c.causeWords).length, `${lang} cause: ${c.cause[lang]}`).toBeGreaterThan(0);
      for (const lab of [{}, { embedded: 'monolithic' as const }]) expect(holds(symptomOf(c, lab)[lang], c.causeWords), symptomOf(c, lab)[lang]).toEqual([]);
      expect(holds(c.title[lang], c.causeWords)).toEqual([]);
    }
  });

  it('a line is cut at the last diagnosis boundary before a cause word, kept whole without one, and dropped when the measurement itself names it', () => {
    const words = ['send_exemplars'];
    expect(withoutCause('0 exemplars with label traceID in the last 2 min (spanmetrics 0, server 0); send_exemplars is off', words)).toBe('0 exemplars with label traceID in the last 2 min (spanmetrics 0, server 0) …');
    expect(withoutCause('80 exemplars in the last 2 min', words)).toBe('80 exemplars in the last 2 min');
    expect(withoutCause('send_exemplars: false', words)).toBeUndefined();
    // case does not hide a word
    expect(withoutCause('0/5 edges rising (Tempo\'s Processors: none)', ['processor'])).toBe('0/5 edges rising …');
  });

  it('the embedded lab has its own symptom where the kind lab\'s speaks of Grafana panels or pods', () => {
    for (const c of CHALLENGES.filter((x) => !('none' in x.embedded))) {
      expect(symptomOf(c, { embedded: 'monolithic' }).en, c.id).not.toMatch(/\bpanels?\b|\bpods?\b|Query with/);
    }
  });
});
