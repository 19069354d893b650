// "Check it yourself" commands do not go stale (issue: the learner's path): a time parameter of a check's request is
// written relative to when the command is pasted, and the shell turns it back into the same kind of number.
import { execFileSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { curlOf, manualOf } from '../../scripts/core/manual.js';

describe('--show-how commands with relative times', () => {
  it('start, end and time become $(date +%s) expressions; other numbers stay as they are', () => {
    const now = 1_765_000_000;
    const c = curlOf(`http://127.0.0.1:3200/api/search?q=%7B%7D&start=${now - 130}&end=${now - 10}&limit=5000`, {}, now);
    expect(c).toBe(`curl -s -G http://127.0.0.1:3200/api/search --data-urlencode 'q={}' --data-urlencode "start=$(( $(date +%s) - 130 ))" --data-urlencode "end=$(( $(date +%s) - 10 ))" --data-urlencode limit=5000`);
    expect(curlOf(`http://p/api/v1/query?query=up&time=${now}`, {}, now)).toContain(`"time=$(date +%s)"`);
    // a time far from the check's (a fixed date asked on purpose) and no clock: as it was
    expect(curlOf('http://p/api/v1/query_exemplars?query=x&start=1000000000&end=1000000100', {}, now)).toContain("start=1000000000");
    expect(curlOf(`http://p/x?start=${now}`)).toContain(`start=${now}`);
  });

  it('each request is said relative to when it was asked; the shell makes a number of the expression again', () => {
    // a whole second: the time asked and the one the command is said from are the same second
    const at = Math.floor(Date.now() / 1000) * 1000;
    const [cmd] = manualOf([{ kind: 'http', url: `http://127.0.0.1:1/api/v1/query_exemplars?query=x&start=${Math.floor(at / 1000) - 120}`, at }]);
    const expr = /"start=(\$\(\( \$\(date \+%s\) - 120 \)\))"/.exec(cmd!)![1]!;
    const got = Number(execFileSync('sh', ['-c', `echo ${expr}`], { encoding: 'utf8' }));
    expect(Math.abs(got - (Math.floor(Date.now() / 1000) - 120))).toBeLessThan(5);
  });
});
