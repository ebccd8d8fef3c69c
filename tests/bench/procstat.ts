/**
 * CPU and memory accounting from /proc (Linux): the figures the benchmark reports.
 *
 * - `pidCpuS(pid)`: utime+stime of one process (a daemon we started: influxd, snmpd, snmp_exporter).
 * - `selfCpu()`: this process's own CPU (process.cpuUsage) and its REAPED children's CPU
 *   (cutime+cstime from /proc/self/stat: fping processes once they exited and were waited for).
 * - `vmHwmMb()`: peak RSS of this process (VmHWM), `rssMb()` the current RSS.
 */
import fs from 'node:fs';

const TICKS = 100; // sysconf(_SC_CLK_TCK) is 100 on every Linux we run on

/** Fields of /proc/<pid>/stat after the `(comm)` field (which may contain spaces). */
function statFields(pid: number | 'self'): string[] {
  const text = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
  return text.slice(text.lastIndexOf(')') + 2).split(' ');
}

/** utime+stime of a running process, in seconds. 0 when it has gone. */
export function pidCpuS(pid: number): number {
  try {
    const f = statFields(pid);
    // after ')': state(3) ppid(4) ... utime is field 14, stime 15 → index 11, 12 here
    return (Number(f[11]) + Number(f[12])) / TICKS;
  } catch {
    return 0;
  }
}

/** utime+stime+cutime+cstime: a process and its children that exited (the fping launcher shells). */
export function treeCpuS(pid: number): number {
  try {
    const f = statFields(pid);
    return (Number(f[11]) + Number(f[12]) + Number(f[13]) + Number(f[14])) / TICKS;
  } catch {
    return 0;
  }
}

/** Sum of pidCpuS over several processes. */
export function pidsCpuS(pids: readonly number[]): number {
  return pids.reduce((a, p) => a + pidCpuS(p), 0);
}

export interface SelfCpu {
  /** This process (user+system), seconds. */
  self_s: number;
  /** Children that exited and were reaped (cutime+cstime), seconds. */
  children_s: number;
}

export function selfCpu(): SelfCpu {
  const u = process.cpuUsage();
  const f = statFields('self');
  // cutime is field 16, cstime 17 → index 13, 14
  return { self_s: (u.user + u.system) / 1e6, children_s: (Number(f[13]) + Number(f[14])) / TICKS };
}

function statusKb(key: string): number {
  const m = new RegExp(`^${key}:\\s+(\\d+) kB`, 'm').exec(fs.readFileSync('/proc/self/status', 'utf8'));
  return m ? Number(m[1]) : 0;
}

/** Peak resident set size of this process so far (VmHWM), MB. */
export function vmHwmMb(): number {
  return statusKb('VmHWM') / 1024;
}

export function rssMb(): number {
  return process.memoryUsage.rss() / (1024 * 1024);
}

/** Samples RSS every `everyMs` and keeps the maximum (VmHWM cannot be reset between phases). */
export function rssSampler(everyMs = 200): { peakMb(): number; stop(): void } {
  let peak = rssMb();
  const t = setInterval(() => { peak = Math.max(peak, rssMb()); }, everyMs);
  t.unref();
  return { peakMb: () => Math.max(peak, rssMb()), stop: () => clearInterval(t) };
}

/** Machine description for the results file. */
export function machineInfo(): { nproc: number; cpu_model: string; ram_gb: number; node: string; kernel: string; loadavg_1m: number } {
  const cpuinfo = fs.readFileSync('/proc/cpuinfo', 'utf8');
  const model = /^model name\s*:\s*(.+)$/m.exec(cpuinfo)?.[1]?.trim() ?? 'unknown';
  const nproc = (cpuinfo.match(/^processor\s*:/gm) ?? []).length;
  const memKb = Number(/^MemTotal:\s+(\d+)/m.exec(fs.readFileSync('/proc/meminfo', 'utf8'))?.[1] ?? 0);
  const kernel = fs.readFileSync('/proc/sys/kernel/osrelease', 'utf8').trim();
  const load = Number(fs.readFileSync('/proc/loadavg', 'utf8').split(' ')[0]);
  return { nproc, cpu_model: model, ram_gb: Math.round((memKb / 1024 / 1024) * 10) / 10, node: process.version, kernel, loadavg_1m: load };
}
