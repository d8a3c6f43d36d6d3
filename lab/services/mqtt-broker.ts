/**
 * The MQTT broker of `signaling: mqtt` (Debian's mosquitto, MQTT v5 as pi-webrtc requires) on the
 * services host: plain MQTT on 1883 and MQTT over WebSocket on 9001 (what picamera.js in browsers
 * uses), no persistence, anonymous clients, reached as mqtt.lab.test.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { LabProcess, StartedLab } from '../backends/backend.js';
import { LabError } from '../model/errors.js';
import type { LineLog } from '../util/line-log.js';
import { BoundedLineLog } from './bounded-line-log.js';
import { listening } from './user-services.js';

export const MQTT_PORT = 1883;
export const MQTT_WS_PORT = 9001;
const READY_TIMEOUT_MS = 10_000;
const POLL_MS = 20;
/** Docker and other backends, where /proc of the services host is not ours to read. */
const READY_LINE = /mosquitto version \S+ running/;

export interface StartedMqttBroker {
  process: LabProcess;
  log: LineLog;
  /** mqtt://<name>:1883 and ws://<name>:9001 */
  urls: { tcp: string; ws: string };
  stop(): Promise<void>;
}

/** mosquitto.conf for one lab: both listeners on one address, everything in memory, the log on stdout. */
export function mosquittoConfig(address: string): string {
  return [
    '# webrtc-lab: the broker of signaling: mqtt (lab/services/mqtt-broker.ts)',
    // Started as root, mosquitto would switch to the "mosquitto" user, who cannot read this folder.
    'user root',
    'persistence false',
    'per_listener_settings false',
    'allow_anonymous true',
    'log_dest stdout',
    'log_type error',
    'log_type warning',
    'log_type notice',
    'log_type information',
    'log_type subscribe',
    'connection_messages true',
    `listener ${MQTT_PORT} ${address}`,
    'protocol mqtt',
    `listener ${MQTT_WS_PORT} ${address}`,
    'protocol websockets',
    '',
  ].join('\n');
}

export function mqttUrls(name: string): StartedMqttBroker['urls'] {
  return { tcp: `mqtt://${name}:${MQTT_PORT}`, ws: `ws://${name}:${MQTT_WS_PORT}` };
}

/** Writes its config into the run's state folder, starts it, and resolves once both ports listen. */
export async function startMqttBroker(lab: StartedLab, opts: { address: string; name: string }): Promise<StartedMqttBroker> {
  const file = join(lab.stateDir, 'mosquitto.conf');
  writeFileSync(file, mosquittoConfig(opts.address));
  const proc = lab.spawn(lab.topology.services.host, ['mosquitto', '-c', file]);
  const log = new BoundedLineLog();
  log.follow(proc.stdout);
  log.follow(proc.stderr);
  const stop = () => proc.stop(1000);
  const done = new AbortController();
  let timer: NodeJS.Timeout | undefined;
  try {
    await Promise.race([
      lab.backend === 'netns' ? portsListening(proc, opts.address, done.signal) : log.waitFor(READY_LINE, READY_TIMEOUT_MS).then(() => undefined),
      proc.exited.then(({ code }) => {
        const how = code === 127 ? 'could not start (is mosquitto installed? scripts/setup.sh installs it; the docker backend\'s offline image carries none yet)' : `exited (code ${code})`;
        throw new LabError('command-failed', `the MQTT broker (mosquitto) ${how} before it was ready:\n${log.tail(15)}`);
      }),
      new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new LabError('timeout', `the MQTT broker (mosquitto) did not listen on ${opts.address}:${MQTT_PORT} and :${MQTT_WS_PORT} within ${READY_TIMEOUT_MS} ms:\n${log.tail(15)}`)), READY_TIMEOUT_MS);
      }),
    ]);
  } catch (err) {
    await stop();
    throw err;
  } finally {
    clearTimeout(timer);
    done.abort();
  }
  return { process: proc, log, urls: mqttUrls(opts.name), stop };
}

/** Readiness by its ports: both listeners in the services host's /proc/<pid>/net/tcp. */
async function portsListening(proc: LabProcess, address: string, signal: AbortSignal): Promise<void> {
  while (!signal.aborted) {
    if (proc.pid > 0 && listening(proc.pid, MQTT_PORT, address) && listening(proc.pid, MQTT_WS_PORT, address)) return;
    await new Promise((r) => setTimeout(r, POLL_MS));
  }
}
