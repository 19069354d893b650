import type { Chapter } from '../../scripts/lib/model.js';

export const chapter: Chapter = {
  number: 4,
  id: 'traffic',
  title: { en: 'Trace traffic from xk6-client-tracing', 'zh-TW': '用 xk6-client-tracing 產生追蹤流量' },
  dir: '04-traffic',
  steps: [],
  checks: [],
};
