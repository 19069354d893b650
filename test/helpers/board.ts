// Reports and requests for the workshop board's tests.

export const TOKEN = 'class-token-123';

/** A report as `workbook verify --json` writes it (report@2), with one failing check or none. */
export function report(failing?: { chapter: string; number: number; check: string; evidence: string }): Record<string, unknown> {
  const passed = { number: 2, id: 'prometheus', title: 'kube-prometheus-stack', state: 'passed', passed: true, items: [{ kind: 'check', id: 'prometheus-ready', title: 'ready', status: 'passed', durationMs: 5, evidence: 'GET /-/ready → 200' }] };
  const chapters = failing
    ? [passed, { number: failing.number, id: failing.chapter, title: failing.chapter, state: 'failed', passed: false, items: [{ kind: 'check', id: failing.check, title: failing.check, status: 'failed', durationMs: 5, evidence: failing.evidence, hint: { en: 'look at the receiver', 'zh-TW': '看看 receiver' } }] }]
    : [passed, { ...passed, number: 3, id: 'tempo' }];
  return { schema: 'tempo-workbook/report@2', lab: 'embedded-monolithic', chapters, challenges: { 'no-series': { status: 'fixed', startedAt: '2026-12-02T09:00:00Z', hintsUsed: 2, timeToFixMs: 300_000 } } };
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any
export async function learnersOf(url: string): Promise<any[]> {
  return ((await (await fetch(`${url}/api/learners`)).json()) as { learners: unknown[] }).learners;
}

export async function post(url: string, body: unknown, token = TOKEN): Promise<Response> {
  return fetch(`${url}/api/reports`, { method: 'POST', headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' }, body: JSON.stringify(body) });
}

