import { describe, expect, it } from 'vitest';
import { renderPrometheus } from './metrics.js';
import type { MetricSample } from './deps.js';

const cases: Array<{ name: string; samples: MetricSample[]; want: string }> = [
  { name: 'empty', samples: [], want: '' },
  {
    name: 'counter without labels',
    samples: [{ name: 'pointwatch_notifications_sent_total', help: 'Notifications delivered', type: 'counter', value: 3 }],
    want: '# HELP pointwatch_notifications_sent_total Notifications delivered\n# TYPE pointwatch_notifications_sent_total counter\npointwatch_notifications_sent_total 3\n',
  },
  {
    name: 'samples of one name grouped under one header, labels escaped',
    samples: [
      { name: 'pw_errors_total', help: 'errors', type: 'counter', labels: { probe: 'ping' }, value: 1 },
      { name: 'pw_spool', help: 'spool depth', type: 'gauge', value: 0 },
      { name: 'pw_errors_total', help: 'errors', type: 'counter', labels: { probe: 'sn"mp\\x\n' }, value: 2 },
    ],
    want:
      '# HELP pw_errors_total errors\n# TYPE pw_errors_total counter\npw_errors_total{probe="ping"} 1\npw_errors_total{probe="sn\\"mp\\\\x\\n"} 2\n' +
      '# HELP pw_spool spool depth\n# TYPE pw_spool gauge\npw_spool 0\n',
  },
  {
    name: 'special values',
    samples: [
      { name: 'a', help: 'h', type: 'gauge', value: NaN },
      { name: 'a', help: 'h', type: 'gauge', labels: { x: '1' }, value: Infinity },
    ],
    want: '# HELP a h\n# TYPE a gauge\na NaN\na{x="1"} +Inf\n',
  },
  {
    name: 'invalid names skipped',
    samples: [
      { name: 'bad-name', help: 'h', type: 'gauge', value: 1 },
      { name: 'ok', help: 'h', type: 'gauge', labels: { 'bad-label': 'x' }, value: 1 },
    ],
    want: '',
  },
];

describe('renderPrometheus', () => {
  it.each(cases)('$name', ({ samples, want }) => {
    expect(renderPrometheus(samples)).toBe(want);
  });
});
