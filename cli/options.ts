import { InvalidArgumentError } from 'commander';
import { DEFAULT_METRICS_PORTS } from '../observability/metricsServer.ts';
import { ENV } from './env.ts';

/** Flag defaults: the environment variable of cli/env.ts, else a fixed default. */
export const DEFAULTS = {
  natsUrl: 'nats://127.0.0.1:4222',
  natsPrefix: 'chorus',
  grpcListen: '0.0.0.0:50051',
  coordinator: '127.0.0.1:50051',
  coordinatorMetricsPort: DEFAULT_METRICS_PORTS.coordinator,
  workerMetricsPort: DEFAULT_METRICS_PORTS.worker,
} as const;

export function fromEnv(name: keyof typeof ENV, fallback: string): string {
  const value = process.env[ENV[name]];
  return value !== undefined && value !== '' ? value : fallback;
}

export function envOrUndefined(name: keyof typeof ENV): string | undefined {
  const value = process.env[ENV[name]];
  return value !== undefined && value !== '' ? value : undefined;
}

export function positiveIntOption(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1) throw new InvalidArgumentError('expected a positive integer');
  return n;
}

export function portOption(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 0 || n > 65535)
    throw new InvalidArgumentError('expected a port number (0-65535)');
  return n;
}

export function nonNegativeIntOption(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 0) throw new InvalidArgumentError('expected an integer >= 0');
  return n;
}

/** `HOST:PORT` → parts; the host may be a bracketed IPv6 address. */
export function parseHostPort(value: string): { host: string; port: number } {
  const m = /^(\[[^\]]+\]|[^:]+):(\d{1,5})$/.exec(value);
  const port = m ? Number(m[2]) : NaN;
  if (!m || port > 65535) throw new InvalidArgumentError(`expected HOST:PORT, got "${value}"`);
  return { host: (m[1] ?? '').replace(/^\[|\]$/g, ''), port };
}

export function hostPortOption(value: string): string {
  parseHostPort(value);
  return value;
}

/** One HOST:PORT or several, comma-separated (a coordinator and its standbys). */
export function hostPortListOption(value: string): string {
  const parts = value.split(',').map((p) => p.trim());
  if (parts.some((p) => p === ''))
    throw new InvalidArgumentError(`expected HOST:PORT[,HOST:PORT…], got "${value}"`);
  parts.forEach(parseHostPort);
  return parts.join(',');
}

/** Comma-separated NATS URLs. */
export function serversOf(value: string): string[] {
  return value
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
}

/** Timestamped log lines on stderr, for the long-running processes. */
export function logLine(who: string): (line: string) => void {
  return (line) => process.stderr.write(`${new Date().toISOString()} ${who}: ${line}\n`);
}
