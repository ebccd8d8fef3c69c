/**
 * The little Markdown runbooks use, rendered safely: paragraphs, `-` bullet lists (nested by
 * indentation), and **bold**. Everything is escaped first; no links, no raw HTML.
 */
import { escapeHtml } from './html.js';

function inline(text: string): string {
  return escapeHtml(text).replace(/\*\*([^*]+)\*\*/g, '<strong>$1</strong>');
}

export function renderMarkdown(text: string): string {
  const out: string[] = [];
  const stack: number[] = []; // indentation of each open <ul>
  let para: string[] = [];
  const flushPara = () => {
    if (para.length) out.push(`<p>${para.map(inline).join(' ')}</p>`);
    para = [];
  };
  const closeLists = (toDepth: number) => {
    while (stack.length > toDepth) {
      stack.pop();
      out.push('</li></ul>');
    }
  };
  for (const raw of text.replace(/\r\n?/g, '\n').split('\n')) {
    const m = /^(\s*)[-*] (.*)$/.exec(raw);
    if (m) {
      flushPara();
      const indent = m[1]!.length;
      if (stack.length === 0 || indent > stack[stack.length - 1]!) {
        stack.push(indent);
        out.push('<ul><li>');
      } else {
        while (stack.length > 1 && indent < stack[stack.length - 1]!) {
          stack.pop();
          out.push('</li></ul>');
        }
        out.push('</li><li>');
      }
      out.push(inline(m[2]!));
    } else if (raw.trim() === '') {
      flushPara();
      closeLists(0);
    } else {
      closeLists(0);
      para.push(raw.trim());
    }
  }
  flushPara();
  closeLists(0);
  return out.join('');
}
