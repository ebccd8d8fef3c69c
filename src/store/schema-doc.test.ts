import { describe, expect, it } from 'vitest';
import { schemaMarkdown } from './schema-doc.js';
import { MEASUREMENTS } from './schema.js';

describe('schemaMarkdown', () => {
  const md = schemaMarkdown();
  it('has one row per declared field', () => {
    const rows = md.split('\n').filter((l) => l.startsWith('| ') && !l.startsWith('| measurement'));
    expect(rows).toHaveLength(Object.values(MEASUREMENTS).reduce((n, m) => n + Object.keys(m.fields).length, 0));
  });
  it('shows types and rollup aggregates', () => {
    expect(md).toContain('| `ping` | `site`, `commune`, `group`, `province`, `kind`, `uplink`, `svc` | `up` | integer | mean |');
    expect(md).toContain('| | | `rtt_max_ms` | float | max |');
    expect(md).toContain('| | | `from_state` | string | — |');
  });
});
