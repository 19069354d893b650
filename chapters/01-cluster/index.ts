import type { Chapter } from '../../scripts/lib/model.js';

export const chapter: Chapter = {
  number: 1,
  id: 'cluster',
  title: { en: 'A kind cluster', 'zh-TW': '建立 kind 叢集' },
  dir: '01-cluster',
  steps: [],
  checks: [],
};
