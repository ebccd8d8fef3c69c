import { describe, expect, it } from 'vitest';
import { renderMarkdown } from './markdown.js';

describe('renderMarkdown', () => {
  const cases = [
    { name: 'paragraph joins lines', md: 'one\ntwo', want: '<p>one two</p>' },
    { name: 'two paragraphs', md: 'a\n\nb', want: '<p>a</p><p>b</p>' },
    { name: 'bold', md: 'the **Power** light', want: '<p>the <strong>Power</strong> light</p>' },
    { name: 'flat list', md: '- a\n- b', want: '<ul><li>a</li><li>b</li></ul>' },
    { name: 'nested list', md: '- a\n  - a1\n  - a2\n- b', want: '<ul><li>a<ul><li>a1</li><li>a2</li></ul></li><li>b</li></ul>' },
    { name: 'paragraph after a list', md: '- a\ntext', want: '<ul><li>a</li></ul><p>text</p>' },
    { name: 'html is escaped, even inside bold', md: '<script>x</script> **<b>**', want: '<p>&lt;script&gt;x&lt;/script&gt; <strong>&lt;b&gt;</strong></p>' },
    { name: 'empty', md: '', want: '' },
  ];
  it.each(cases)('$name', ({ md, want }) => expect(renderMarkdown(md)).toBe(want));
});
