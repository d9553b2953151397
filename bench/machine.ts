import { readFileSync } from 'node:fs';
import { cpus, totalmem } from 'node:os';
import { Redis } from 'ioredis';

/** The machine a run measured, as BENCHMARKS.md records it. */
export interface Machine {
  cpu: string;
  cores: number;
  ramGb: number;
  node: string;
  redis: string;
  os: string;
  date: string;
}

/** Reads the CPU model from /proc/cpuinfo (os.cpus() as a fallback), RAM, Node and Redis versions. */
export async function describeMachine(redisUrl: string): Promise<Machine> {
  let cpu = cpus()[0]?.model ?? 'unknown';
  try {
    const info = readFileSync('/proc/cpuinfo', 'utf8');
    const model = /^model name\s*:\s*(.+)$/m.exec(info)?.[1];
    if (model) cpu = model.trim();
  } catch {
    // Not Linux: os.cpus() already gave the model.
  }
  const redis = new Redis(redisUrl, { lazyConnect: true, maxRetriesPerRequest: 1 });
  let redisVersion = 'unknown';
  try {
    await redis.connect();
    const info = await redis.info('server');
    redisVersion = /^redis_version:(.+)$/m.exec(info)?.[1]?.trim() ?? 'unknown';
  } finally {
    redis.disconnect();
  }
  let os = `${process.platform} ${process.arch}`;
  try {
    const release = readFileSync('/etc/os-release', 'utf8');
    os = /^PRETTY_NAME="?([^"\n]+)"?$/m.exec(release)?.[1] ?? os;
  } catch {
    // Keep the platform name.
  }
  return {
    cpu,
    cores: cpus().length,
    ramGb: Math.round((totalmem() / 2 ** 30) * 10) / 10,
    node: process.version,
    redis: redisVersion,
    os,
    date: new Date().toISOString().replace(/\.\d+Z$/, 'Z'),
  };
}

/** The machine as a Markdown list. */
export function machineMarkdown(m: Machine): string {
  return [
    `- CPU: ${m.cpu}, ${m.cores} cores (as the OS sees them)`,
    `- RAM: ${m.ramGb} GiB`,
    `- OS: ${m.os}`,
    `- Node ${m.node}, Redis ${m.redis} on 127.0.0.1:6379`,
    `- Run: ${m.date}`,
  ].join('\n');
}
