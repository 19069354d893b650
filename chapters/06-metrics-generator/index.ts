import type { Chapter } from '../../scripts/lib/model.js';

export const chapter: Chapter = {
  number: 6,
  id: 'metrics-generator',
  title: { en: 'Metrics generator: service graphs, span metrics, exemplars', 'zh-TW': 'Metrics generator：服務圖、span 指標與 exemplar' },
  dir: '06-metrics-generator',
  steps: [],
  checks: [],
};
