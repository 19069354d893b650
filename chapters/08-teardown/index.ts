import type { Chapter } from '../../scripts/lib/model.js';

export const chapter: Chapter = {
  number: 8,
  id: 'teardown',
  title: { en: 'Teardown', 'zh-TW': '清除環境' },
  dir: '08-teardown',
  steps: [],
  checks: [],
};
