import type { Chapter } from '../../scripts/lib/model.js';

export const chapter: Chapter = {
  number: 3,
  id: 'tempo',
  title: { en: 'Tempo in microservices mode', 'zh-TW': '微服務模式的 Tempo' },
  dir: '03-tempo',
  steps: [],
  checks: [],
};
