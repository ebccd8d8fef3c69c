/**
 * One string object per distinct value, for values that repeat across thousands of sites
 * (interface names like "ether1", a router model's sysDescr and sysObjectID): each site would
 * otherwise keep its own copy of each, decoded from its own packets. Bounded: past `max` distinct
 * values the table starts over (strings handed out before stay valid; they are just not shared
 * with later ones), so values that never repeat cannot grow it without end.
 */
export class Interner {
  private table = new Map<string, string>();
  constructor(private readonly max = 8192) {
    if (!Number.isInteger(max) || max < 1) throw new Error(`Interner: max must be a positive integer, got ${max}`);
  }

  intern(s: string): string {
    const known = this.table.get(s);
    if (known !== undefined) return known;
    if (this.table.size >= this.max) this.table = new Map();
    this.table.set(s, s);
    return s;
  }

  get size(): number { return this.table.size; }
}
