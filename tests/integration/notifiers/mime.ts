/**
 * Just enough MIME decoding to read what a real SMTP server received from nodemailer:
 * RFC 2047 encoded words in headers, multipart bodies, quoted-printable and base64 parts.
 */

function decodeWords(s: string): string {
  return s.replace(/=\?([^?]+)\?([QBqb])\?([^?]*)\?=\s*(?==\?)|=\?([^?]+)\?([QBqb])\?([^?]*)\?=/g, (...m: string[]) => {
    const enc = (m[2] || m[5])!.toUpperCase();
    const text = (m[3] ?? m[6])!;
    if (enc === 'B') return Buffer.from(text, 'base64').toString('utf8');
    return decodeQp(text.replace(/_/g, ' '));
  });
}

function decodeQp(s: string): string {
  const bytes: number[] = [];
  const soft = s.replace(/=\r?\n/g, '');
  for (let i = 0; i < soft.length; i++) {
    const c = soft[i]!;
    if (c === '=' && /^[0-9A-F]{2}$/i.test(soft.slice(i + 1, i + 3))) {
      bytes.push(parseInt(soft.slice(i + 1, i + 3), 16));
      i += 2;
    } else {
      bytes.push(...Buffer.from(c, 'utf8'));
    }
  }
  return Buffer.from(bytes).toString('utf8');
}

export interface MimePart { headers: Record<string, string>; body: string }

function splitHeaders(raw: string): { headers: Record<string, string>; body: string } {
  const idx = raw.search(/\r?\n\r?\n/);
  const head = idx < 0 ? raw : raw.slice(0, idx);
  const body = idx < 0 ? '' : raw.slice(idx).replace(/^\r?\n\r?\n/, '');
  const headers: Record<string, string> = {};
  for (const line of head.replace(/\r?\n[ \t]+/g, ' ').split(/\r?\n/)) {
    const c = line.indexOf(':');
    if (c > 0) headers[line.slice(0, c).trim().toLowerCase()] = decodeWords(line.slice(c + 1).trim());
  }
  return { headers, body };
}

function decodeBody(headers: Record<string, string>, body: string): string {
  const cte = (headers['content-transfer-encoding'] ?? '7bit').toLowerCase();
  if (cte === 'base64') return Buffer.from(body.replace(/\s+/g, ''), 'base64').toString('utf8');
  if (cte === 'quoted-printable') return decodeQp(body);
  return body;
}

/** Headers (decoded) and the leaf parts (decoded) of a raw message. */
export function parseMail(raw: string): { headers: Record<string, string>; parts: MimePart[] } {
  const top = splitHeaders(raw);
  const parts: MimePart[] = [];
  const walk = (h: Record<string, string>, body: string) => {
    const ct = h['content-type'] ?? 'text/plain';
    const b = /boundary="?([^";]+)"?/i.exec(ct);
    if (/^multipart\//i.test(ct) && b) {
      for (const chunk of body.split(`--${b[1]}`).slice(1)) {
        if (chunk.startsWith('--')) break;
        const p = splitHeaders(chunk.replace(/^\r?\n/, ''));
        walk(p.headers, p.body);
      }
    } else {
      parts.push({ headers: h, body: decodeBody(h, body) });
    }
  };
  walk(top.headers, top.body);
  return { headers: top.headers, parts };
}
