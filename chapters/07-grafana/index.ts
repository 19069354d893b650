import type { Chapter } from '../../scripts/lib/model.js';

export const chapter: Chapter = {
  number: 7,
  id: 'grafana',
  title: { en: 'Grafana: data sources and the exemplar link', 'zh-TW': 'Grafana：資料來源與 exemplar 連結' },
  dir: '07-grafana',
  steps: [],
  checks: [],
};
