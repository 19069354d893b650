// The processors a Tempo runs with, read in either overrides format: the legacy flat list (Tempo 2.x, the article's
// chart) and the new per-default one (Tempo 3.0 takes only this unless enable_legacy_overrides).
import { describe, expect, it } from 'vitest';
import { processorsIn } from '../../scripts/lab/tempo.js';

describe('processorsIn', () => {
  it('reads the legacy list, the new format, and says none when neither is there', () => {
    expect(processorsIn({ overrides: { metrics_generator_processors: ['service-graphs'] } })).toEqual(['service-graphs']);
    expect(processorsIn({ overrides: { defaults: { metrics_generator: { processors: ['span-metrics', 'service-graphs'] } } } })).toEqual(['span-metrics', 'service-graphs']);
    expect(processorsIn({ overrides: {} })).toBeUndefined();
    expect(processorsIn({})).toBeUndefined();
  });
});
