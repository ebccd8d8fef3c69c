/**
 * A real inventory (the example province) standing on a simulated fleet (pure): every site keeps
 * its id, name, commune, parent and field details; its host and SNMP access become those of the
 * simulated router at the same position, so the example is polled without touching its RFC 5737
 * addresses. The demo and `pointwatch simulate --example` use it.
 */
import type { Inventory, Site } from '../config/schema.js';

export function inventoryOnFleet(example: Inventory, fleetSites: ReadonlyArray<Pick<Site, 'host' | 'snmp'>>): Inventory {
  if (fleetSites.length < example.sites.length) {
    throw new Error(`sim: the fleet has ${fleetSites.length} routers for ${example.sites.length} example sites`);
  }
  return {
    ...example,
    sites: example.sites.map((s, i) => ({ ...s, host: fleetSites[i]!.host, snmp: fleetSites[i]!.snmp })),
  };
}
