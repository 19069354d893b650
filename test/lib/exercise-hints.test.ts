// Exercise hints climb (issue: exercises that teach): a first wrong answer gets where to look, which holds no text
// of the answer — neither the query, nor a name it uses (an attribute, a metric) or an operator it teaches that the
// question does not already say; the closer hint comes after; the answer only with --show-answer.
import { describe, expect, it } from 'vitest';
import { EXERCISES } from '../../scripts/lab/exercises.js';

/** The pieces of an answer a hint must not give: dotted attribute names, snake_case names, TraceQL/PromQL operators and functions it uses. */
function pieces(answer: string): string[] {
  const names = answer.match(/[a-z_]+(\.[a-z_]+)+|[a-z]+_[a-z0-9_]+/g) ?? [];
  const operators = answer.match(/>>|~|&&|topk|histogram_quantile|rate\(|increase\(|sum by/g) ?? [];
  return [answer, ...names, ...operators];
}

describe('the first hint of every exercise gives nothing of the answer away', () => {
  it.each(EXERCISES.map((e) => e.id))('%s', (id) => {
    const ex = EXERCISES.find((e) => e.id === id)!;
    for (const lang of ['en', 'zh-TW'] as const) {
      // what the question itself says is not a secret
      const secret = pieces(ex.answer).filter((p) => !ex.task.en.includes(p));
      expect(secret.length, ex.answer).toBeGreaterThan(0);
      expect(secret.filter((p) => ex.lookAt[lang].includes(p)), ex.lookAt[lang]).toEqual([]);
      expect(ex.lookAt[lang].length).toBeGreaterThan(40);
    }
  });
});
