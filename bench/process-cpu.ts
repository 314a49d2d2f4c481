/**
 * CPU time of the processes in a load benchmark (via Linux /proc), so that on a shared machine
 * it can report CPU per request — a figure that, unlike requests/s, hardly depends on what else
 * runs.
 */
import { readdirSync, readFileSync } from 'node:fs';

const TICK_MS = 10; // USER_HZ is 100 on every Linux this runs on

function stat(pid: number): string[] | null {
  try {
    const s = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // The command name (field 2) may hold spaces; fields after its closing ')' are fixed.
    return s.slice(s.lastIndexOf(')') + 2).split(' ');
  } catch {
    return null;
  }
}

/**
 * User + system CPU milliseconds a process has used so far (0 when it is gone).
 * @example
 * const before = processCpuMs(server.pid!); … ; const used = processCpuMs(server.pid!) - before;
 */
export function processCpuMs(pid: number): number {
  const f = stat(pid);
  return f ? (Number(f[11]) + Number(f[12])) * TICK_MS : 0;
}

/**
 * CPU milliseconds used so far by the PostgreSQL server listening on `port`: its postmaster
 * (found by `-p <port>` on its command line) and every child (backends, WAL writer, …).
 * Backends that exited are not counted, so read it while the client's connections are open.
 * @example
 * const before = postgresCpuMs(5432);
 */
export function postgresCpuMs(port: number): number {
  const pids = readdirSync('/proc')
    .filter((p) => /^\d+$/.test(p))
    .map(Number);
  const postmaster = pids.find((pid) => {
    try {
      const argv = readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0');
      return argv.some((a) => a.endsWith('postgres')) && argv.join(' ').includes(`-p ${port} `);
    } catch {
      return false;
    }
  });
  if (postmaster === undefined) return 0;
  let total = processCpuMs(postmaster);
  for (const pid of pids) if (stat(pid)?.[1] === String(postmaster)) total += processCpuMs(pid);
  return total;
}

/**
 * Measures, from now on, the CPU of the server's processes (API and worker processes), of this process (the load generator) and
 * of the PostgreSQL on `pgPort` (0: none), and reports it per request.
 * @example
 * const cpu = cpuMeter(server.pid!, 5432); … ; console.log(cpu.perRequest(n)); // "server 70 µs, …"
 * cpu.used(); // { server, postgres, self } CPU seconds so far
 */
export function cpuMeter(serverPids: number | readonly number[], pgPort: number) {
  const pids = typeof serverPids === 'number' ? [serverPids] : serverPids;
  const serverMs = () => pids.reduce((s, pid) => s + processCpuMs(pid), 0);
  const server0 = serverMs();
  const pg0 = pgPort ? postgresCpuMs(pgPort) : 0;
  const self0 = process.cpuUsage();
  /** CPU seconds used since the meter started, per process group. */
  const used = () => {
    const self = process.cpuUsage(self0);
    return {
      server: (serverMs() - server0) / 1000,
      postgres: pgPort ? (postgresCpuMs(pgPort) - pg0) / 1000 : 0,
      self: (self.user + self.system) / 1e6,
    };
  };
  return {
    used,
    perRequest(n: number): string {
      const u = used();
      const us = (seconds: number) => `${Math.round((seconds * 1e6) / Math.max(1, n))} µs`;
      const parts = [`server ${us(u.server)}`, `load generator ${us(u.self)}`];
      if (pgPort) parts.push(`postgres ${us(u.postgres)}`);
      return parts.join(', ');
    },
  };
}
