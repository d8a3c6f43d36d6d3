import { writeSync } from 'node:fs';
// Types only: a peer's bundle carries no schema library.
import type { EventFields, EventName } from '../../lab/contract/events.js';
import { TURN_TRANSPORTS, type TurnTransport } from '../../lab/contract/ice-config.js';

/**
 * The peer contract (peers/README.md): configuration in through environment variables, one JSON
 * object per line out on stdout, each with `t` (CLOCK_MONOTONIC ms, shared by every process on the
 * machine) and `event`; exit code 0 on success.
 */
export function monotonicMs(): number {
  return Number(process.hrtime.bigint()) / 1e6;
}

/** Fields of an event, optional as an argument when the event has no required ones. */
export type EmitArgs<N extends EventName> = Record<string, never> extends EventFields<N> ? [fields?: EventFields<N>] : [fields: EventFields<N>];

/** Prints one event of the contract's closed list (lab/contract/events.ts). */
export function emit<N extends EventName>(event: N, ...[fields]: EmitArgs<N>): void {
  process.stdout.write(JSON.stringify({ t: Math.round(monotonicMs() * 1000) / 1000, event, ...fields }) + '\n');
}

/** A peer's own event (name starting with "x-"): kept in the result and its timeline, never read by the lab. */
export function emitCustom(event: `x-${string}`, fields: Record<string, unknown> = {}): void {
  process.stdout.write(JSON.stringify({ t: Math.round(monotonicMs() * 1000) / 1000, event, ...fields }) + '\n');
}

/** Reports why the peer gives up, then exits non-zero. */
export function fail(message: string, fields: Omit<EventFields<'error'>, 'message'> = {}): never {
  const line = JSON.stringify({ t: Math.round(monotonicMs() * 1000) / 1000, event: 'error', message, ...fields }) + '\n';
  try {
    writeSync(1, line); // synchronous, so the line is out before the process ends
  } catch {
    process.stderr.write(line);
  }
  process.exit(1);
}

export function requireEnv(name: string): string {
  const v = process.env[name];
  if (!v) fail(`missing environment variable ${name} (see peers/README.md)`);
  return v;
}

export function envChoice<T extends string>(name: string, choices: readonly T[], fallback: T): T {
  const v = process.env[name] ?? fallback;
  if (!(choices as readonly string[]).includes(v)) fail(`${name}="${v}" must be one of ${choices.join(', ')}`);
  return v as T;
}

export function envNumber(name: string, fallback: number): number {
  const v = process.env[name];
  if (v === undefined) return fallback;
  const n = Number(v);
  if (!Number.isFinite(n) || n < 0) fail(`${name}="${v}" must be a non-negative number`);
  return n;
}

export interface CommonPeerConfig {
  peerId: string;
  room: string;
  token: string;
  signalingUrl: string;
  iceConfigUrl: string;
  icePolicy: 'all' | 'relay';
  /** TURN URIs handed to the stack, in this order (werift uses only the first). */
  turnTransports: TurnTransport[];
  trickle: boolean;
  /** PEM file to trust for TURN over TLS (the lab's self-signed certificate). */
  turnCaFile: string | null;
  timeoutMs: number;
}

export function commonConfig(): CommonPeerConfig {
  const transports = (process.env.LAB_TURN_TRANSPORTS ?? 'udp').split(',').filter(Boolean);
  for (const t of transports) if (!(TURN_TRANSPORTS as readonly string[]).includes(t)) fail(`LAB_TURN_TRANSPORTS: "${t}" is not one of ${TURN_TRANSPORTS.join(', ')}`);
  return {
    peerId: requireEnv('LAB_PEER_ID'),
    room: requireEnv('LAB_ROOM'),
    token: requireEnv('LAB_TOKEN'),
    signalingUrl: requireEnv('LAB_SIGNALING_URL'),
    iceConfigUrl: requireEnv('LAB_ICE_CONFIG_URL'),
    icePolicy: envChoice('LAB_ICE_POLICY', ['all', 'relay'] as const, 'all'),
    turnTransports: transports as CommonPeerConfig['turnTransports'],
    trickle: (process.env.LAB_TRICKLE ?? '1') !== '0',
    turnCaFile: process.env.LAB_TURN_CA ?? null,
    timeoutMs: envNumber('LAB_TIMEOUT_MS', 15_000),
  };
}
