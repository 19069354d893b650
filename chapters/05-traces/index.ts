import type { Chapter } from '../../scripts/lib/model.js';

export const chapter: Chapter = {
  number: 5,
  id: 'traces',
  title: { en: 'Finding traces through the Tempo API', 'zh-TW': '透過 Tempo API 查詢追蹤' },
  dir: '05-traces',
  steps: [],
  checks: [],
};
