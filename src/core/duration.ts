/** Durations as people write them in config: `500ms`, `30s`, `5m`, `12h`, `400d`, `52w`. */
const UNIT_MS = { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000, w: 604_800_000 } as const;

/** Milliseconds in a duration string. Throws on anything else (the schema's pattern prevents it in config). */
export function parseDuration(text: string): number {
  const m = /^(\d+)(ms|s|m|h|d|w)$/.exec(text.trim());
  if (!m) throw new Error(`invalid duration '${text}': use a number and a unit (ms, s, m, h, d, w), e.g. 30s or 12h`);
  return Number(m[1]) * UNIT_MS[m[2] as keyof typeof UNIT_MS];
}

/** InfluxQL duration literal for a config duration (InfluxQL has no `ms` suffix issue: it accepts ms). */
export function influxDuration(text: string): string {
  parseDuration(text);
  return text.trim();
}
