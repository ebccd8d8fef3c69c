/**
 * The report's incident list (pure): every incident of the period at the report's sites, with the
 * site's name and commune and what the trainee wrote after the visit. Apart from the figures because
 * it lists every incident, outages or not, where the figures count outages only.
 */
import type { CoverageInput, IncidentListEntry } from './coverage.js';

/** The incidents of the period at the report's sites, oldest first (ties by id). */
export function incidentList(input: Pick<CoverageInput, 'from' | 'to' | 'sites' | 'incidents'>): IncidentListEntry[] {
  const byId = new Map(input.sites.map((s) => [s.id, s]));
  return (input.incidents ?? [])
    .filter((i) => byId.has(i.site) && i.opened < input.to && (i.resolved === null || i.resolved >= input.from))
    .sort((a, b) => a.opened - b.opened || (a.id ?? 0) - (b.id ?? 0))
    .map((i) => {
      const s = byId.get(i.site)!;
      return { id: i.id ?? null, site: i.site, name: s.name, commune: s.commune, kind: i.kind ?? null, cause: i.cause, opened: i.opened, resolved: i.resolved, outcome: i.outcome ?? null };
    });
}
