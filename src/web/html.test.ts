import { describe, expect, it } from 'vitest';
import { html, raw, escapeHtml } from './html.js';

describe('html', () => {
  const cases: Array<{ name: string; got: () => string; want: string }> = [
    { name: 'escapes markup in values', got: () => html`<p>${'<script>alert("x")</script>'}</p>`.value, want: '<p>&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;</p>' },
    { name: 'escapes quotes for attributes', got: () => html`<a title="${`a"b'c`}">`.value, want: '<a title="a&quot;b&#39;c">' },
    { name: 'keeps nested html', got: () => html`<ul>${['a', '<b>'].map((x) => html`<li>${x}</li>`)}</ul>`.value, want: '<ul><li>a</li><li>&lt;b&gt;</li></ul>' },
    { name: 'drops null, undefined, false', got: () => html`${null}${undefined}${false}${0}`.value, want: '0' },
    { name: 'raw is trusted', got: () => html`${raw('<br>')}`.value, want: '<br>' },
    { name: 'escapeHtml of ampersand and backtick', got: () => escapeHtml('a&b`'), want: 'a&amp;b&#96;' },
  ];
  it.each(cases)('$name', ({ got, want }) => expect(got()).toBe(want));
});
