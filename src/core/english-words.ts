/**
 * English words that must not appear in a Vietnamese message, page or report (tests grep rendered
 * output with `englishWordsIn`). Device labels people read on the hardware (WAN, LAN, LOS, PON,
 * SIM, ONT, UPS, Wi-Fi, 4G) and units (ms, %) are Vietnamese usage too, so they are not listed; nor
 * are words that Vietnamese without diacritics spells the same (on = ổn, the = thể, cut = cụt, in, no).
 */
export const ENGLISH_WORDS: readonly string[] = [
  'alert', 'acknowledge', 'ack', 'after', 'again', 'and', 'answers', 'area', 'availability', 'back', 'by', 'cause', 'escalated',
  'changes', 'check', 'checks', 'cleared', 'commune', 'coverage', 'degraded', 'detail', 'district', 'down', 'downtime',
  'for', 'from', 'incident', 'incidents', 'informational', 'latency', 'link', 'loss', 'main', 'maintenance', 'meeting',
  'min', 'not', 'of', 'oper', 'outage', 'ping', 'power', 'province', 'received', 'reply', 'resolved', 'router',
  'rebooted', 'replies', 'runbook', 'sent', 'since', 'site', 'sites', 'snmp', 'state', 'suspected', 'target', 'lasted', 'flapping', 'saturated', 'high', 'point',
  'timeout', 'unknown', 'unreachable', 'until', 'up', 'upstream', 'while', 'window', 'with', 'within', 'yet',
];

const SET = new Set(ENGLISH_WORDS);

/** The listed English words found in `text` (case-insensitive, whole words; URLs are skipped). */
export function englishWordsIn(text: string): string[] {
  const withoutUrls = text.replace(/https?:\/\/\S+/g, ' ');
  const words = withoutUrls.toLowerCase().match(/[\p{L}]+/gu) ?? [];
  return [...new Set(words.filter((w) => SET.has(w)))];
}
