/** The machine line printed above every result table. */
import { cpus, platform, release, totalmem } from 'node:os';

/** What the numbers were measured on. */
export interface MachineInfo {
  readonly cpu: string;
  readonly cores: number;
  readonly node: string;
  readonly platform: string;
  readonly memoryGb: number;
  readonly taskset: boolean;
}

/** Reads the machine description from `os`. */
export function machineInfo(taskset: boolean): MachineInfo {
  const list = cpus();
  return {
    cpu: (list[0]?.model ?? 'unknown').trim(),
    cores: list.length,
    node: process.version,
    platform: `${platform()} ${release()}`,
    memoryGb: Math.round((totalmem() / 2 ** 30) * 10) / 10,
    taskset,
  };
}

/** One line: `machine: AMD EPYC x2 cores, node v20.20.2, linux 6.1, 7.8 GB, pinned: yes`. */
export function machineLine(info: MachineInfo): string {
  return (
    `machine: ${info.cpu} x${info.cores} cores, node ${info.node}, ${info.platform}, ` +
    `${info.memoryGb} GB, pinned (taskset): ${info.taskset ? 'server core 1, client core 0' : 'no'}`
  );
}
