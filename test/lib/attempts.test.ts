import { describe, expect, it } from 'vitest';
import { collapseAttempts } from '../../scripts/core/format.js';

describe('repeated identical attempts are one line with a count', () => {
  it('180 identical attempts: two lines, not 180', () => {
    const lines: string[] = [];
    const a = collapseAttempts((l) => lines.push(l));
    for (let n = 2; n <= 180; n++) a.attempt('kube context "kind-tempo-lab" does not exist', n);
    a.end();
    expect(lines).toEqual(['attempt 2: kube context "kind-tempo-lab" does not exist', 'attempts 2–180: the same (×179)']);
  });
  it('a change of evidence starts a new line and closes the run before it', () => {
    const lines: string[] = [];
    const a = collapseAttempts((l) => lines.push(l));
    ['0/10 pods ready', '0/10 pods ready', '0/10 pods ready', '4/10 pods ready', '9/10 pods ready'].forEach((e, i) => a.attempt(e, i + 2));
    a.end();
    expect(lines).toEqual(['attempt 2: 0/10 pods ready', 'attempts 2–4: the same (×3)', 'attempt 5: 4/10 pods ready', 'attempt 6: 9/10 pods ready']);
  });
});
