import type { Chapter } from '../../scripts/lib/model.js';

export const chapter: Chapter = {
  number: 2,
  id: 'prometheus',
  title: { en: 'kube-prometheus-stack with exemplars and remote write', 'zh-TW': 'kube-prometheus-stack：開啟 exemplar 與 remote write' },
  dir: '02-prometheus',
  steps: [],
  checks: [],
};
