import { describe, expect, it } from 'vitest';
import { abbreviatePlace, capacity, encodingOf, isGsm7, smsParts, smsUnits, splitSms, stripDiacritics } from './sms-encoding.js';

describe('GSM-7 or UCS-2', () => {
  const cases: Array<[string, string, 'GSM-7' | 'UCS-2']> = [
    ['plain ASCII', 'Site DOWN since 07:42', 'GSM-7'],
    ['GSM-7 accented letters', 'Café à Ñoño ü', 'GSM-7'],
    ['extension characters are still GSM-7', 'a{b}[c]~|^€', 'GSM-7'],
    ['Vietnamese with diacritics', 'Mất kết nối', 'UCS-2'],
    ['đ alone forces UCS-2', 'đ', 'UCS-2'],
    ['an ellipsis forces UCS-2', 'cut…', 'UCS-2'],
    ['emoji', 'ok 👍', 'UCS-2'],
  ];
  for (const [name, text, want] of cases) it(name, () => expect(encodingOf(text)).toBe(want));
});

describe('units and parts', () => {
  const cases: Array<{ name: string; text: string; units: number; parts: number }> = [
    { name: '160 GSM-7 chars: one part', text: 'a'.repeat(160), units: 160, parts: 1 },
    { name: '161 GSM-7 chars: two parts of 153', text: 'a'.repeat(161), units: 161, parts: 2 },
    { name: '306 GSM-7 chars: two parts', text: 'a'.repeat(306), units: 306, parts: 2 },
    { name: '307 GSM-7 chars: three parts', text: 'a'.repeat(307), units: 307, parts: 3 },
    { name: 'extension chars count double', text: '{'.repeat(80), units: 160, parts: 1 },
    { name: '70 UCS-2 chars: one part', text: 'ạ'.repeat(70), units: 70, parts: 1 },
    { name: '71 UCS-2 chars: two parts of 67', text: 'ạ'.repeat(71), units: 71, parts: 2 },
    { name: '135 UCS-2 chars: three parts', text: 'ạ'.repeat(135), units: 135, parts: 3 },
    { name: 'an emoji is two UCS-2 units', text: '👍', units: 2, parts: 1 },
  ];
  for (const c of cases) {
    it(c.name, () => {
      expect(smsUnits(c.text)).toBe(c.units);
      expect(smsParts(c.text)).toBe(c.parts);
    });
  }
  it('capacity', () => {
    expect([capacity('GSM-7', 1), capacity('GSM-7', 2), capacity('UCS-2', 1), capacity('UCS-2', 3)]).toEqual([160, 306, 70, 201]);
  });
});

describe('splitSms', () => {
  it('splits UCS-2 at spaces into parts of at most 67', () => {
    const text = 'Nhà văn hoá thôn Bản Lác mất kết nối từ 07:42, nguyên nhân mất điện, đã báo cán bộ xã.';
    const parts = splitSms(text);
    expect(parts.length).toBe(2);
    expect(parts.join('')).toBe(text);
    for (const p of parts) expect(p.length).toBeLessThanOrEqual(67);
    expect(parts[0]!.endsWith(' ')).toBe(true);
  });
  it('never splits a surrogate pair', () => {
    const text = `${'ạ'.repeat(66)}👍${'b'.repeat(10)}`;
    const parts = splitSms(text);
    expect(parts.join('')).toBe(text);
    expect(parts[0]).toBe('ạ'.repeat(66));
  });
  it('a GSM-7 text within 160 stays whole', () => {
    expect(splitSms('a'.repeat(160))).toEqual(['a'.repeat(160)]);
  });
});

describe('stripDiacritics', () => {
  const cases: Array<[string, string]> = [
    ['Mất kết nối', 'Mat ket noi'],
    ['Đường dây điện', 'Duong day dien'],
    ['Nhà văn hoá thôn Bản Lác', 'Nha van hoa thon Ban Lac'],
    ['Ước ở Ưng', 'Uoc o Ung'],
    ['giờ… – →', 'gio... - ->'],
  ];
  for (const [input, want] of cases) {
    it(input, () => {
      expect(stripDiacritics(input)).toBe(want);
      expect(isGsm7(stripDiacritics(input))).toBe(true);
    });
  }
});

describe('abbreviatePlace: place words as written short', () => {
  const cases: Array<[string, string, string]> = [
    ['Nhà văn hóa (hóa)', 'Nhà văn hóa thôn Lao Chải', 'NVH thôn Lao Chải'],
    ['Nhà văn hoá (hoá)', 'Nhà văn hoá thôn Bản Lác', 'NVH thôn Bản Lác'],
    ['lower case', 'nhà văn hóa bản Pho', 'NVH bản Pho'],
    ['Điểm thông tin công cộng', 'Điểm thông tin công cộng xã Y Tý', 'ĐTCC xã Y Tý'],
    ['Ủy ban nhân dân', 'Ủy ban nhân dân xã Tả Van', 'UBND xã Tả Van'],
    ['Uỷ ban nhân dân (other tone place)', 'Uỷ ban nhân dân xã Bản Hồ', 'UBND xã Bản Hồ'],
    ['Bưu điện văn hóa xã', 'Điểm Bưu điện - Văn hóa xã Dền Sáng', 'BĐVHX Dền Sáng'],
    ['schools', 'Trường Trung học cơ sở Cán Cấu', 'Trường THCS Cán Cấu'],
    ['decomposed input (NFD) is matched too', 'Nhà văn hóa thôn Sín Chải'.normalize('NFD'), 'NVH thôn Sín Chải'],
    ['nothing to shorten', 'UBND xã Y Tý', 'UBND xã Y Tý'],
  ];
  for (const [name, input, want] of cases) it(name, () => expect(abbreviatePlace(input)).toBe(want));
  it('then stripped: pure GSM-7', () => expect(stripDiacritics(abbreviatePlace('Điểm thông tin công cộng xã Đồng Văn'))).toBe('DTCC xa Dong Van'));
});
