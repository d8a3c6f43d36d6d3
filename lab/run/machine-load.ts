/** Samples how busy the machine is (load average, Linux CPU pressure) while a run goes: inconclusive.ts reads it. */
import { readFileSync } from 'node:fs';
import { availableParallelism, loadavg } from 'node:os';
import type { MachineLoad } from './inconclusive.js';

/** /proc/pressure/cpu "some avg10", or null where the kernel has no PSI. */
export function cpuPressure(read: (file: string) => string = (f) => readFileSync(f, 'utf8')): number | null {
  try {
    const m = /^some avg10=([\d.]+)/m.exec(read('/proc/pressure/cpu'));
    return m ? Number(m[1]) : null;
  } catch {
    return null;
  }
}

export function sampleLoad(): MachineLoad {
  return { cpus: availableParallelism(), loadAvg1: loadavg()[0], cpuPressure: cpuPressure() };
}

/** The highest of each figure over the run: start sampling, stop() returns the peak. */
export function watchLoad(everyMs = 500): { stop(): MachineLoad } {
  let peak = sampleLoad();
  const take = () => {
    const s = sampleLoad();
    peak = { cpus: s.cpus, loadAvg1: Math.max(peak.loadAvg1, s.loadAvg1), cpuPressure: s.cpuPressure === null ? peak.cpuPressure : Math.max(peak.cpuPressure ?? 0, s.cpuPressure) };
  };
  const timer = setInterval(take, everyMs);
  timer.unref();
  return {
    stop() {
      clearInterval(timer);
      take();
      return peak;
    },
  };
}
