/**
 * The signaling protocol's own steps of one session (the peers' `signaling-step` events: MQTT
 * subscribes and publishes, WHEP requests, KVS control-plane calls), in time order, for the
 * run's timeline and --explain. Generic: a protocol needs no code here to be told, only events.
 */
import type { RunResult } from '../model/run-result.js';

type Event = RunResult['events'][string][number];

export interface SignalingStepLine {
  /** The first (or only) event of the step. */
  event: Event;
  who: 'viewer' | 'camera';
  protocol: string;
  step: string;
  detail: string;
  /** How many like steps it stands for (a series of trickled candidates), 1 for a single one. */
  count: number;
}

/** What each protocol is, for a reader who meets it first in --explain; one line. */
export const PROTOCOL_INTRO: Record<string, string> = {
  mqtt: 'MQTT (as pi-webrtc speaks it): both sides are clients of the MQTT v5 broker on the lab\'s internet; offers, answers and candidates are publishes on pi-webrtc\'s topics (docs/protocols.md)',
  whep: 'WHEP (as pi-webrtc serves it): the viewer spoke HTTP to the camera\'s WHEP port, through the tunnel the camera keeps open to the lab\'s relay (docs/protocols.md); the media path is not tunnelled',
  kvs: 'Kinesis Video Streams (emulated): control-plane calls, then the signaling WebSocket of the channel (docs/protocols.md)',
};

/** How the offer reached the camera, per protocol ("the camera received the offer through ..."). */
export const PROTOCOL_VIA: Record<string, string> = {
  mqtt: 'the MQTT broker',
  whep: 'the WHEP POST (the body of the request)',
  kvs: 'the KVS signaling channel',
};

/**
 * The steps of the session between `viewer` and the camera: the viewer's own, and the camera's
 * that are about this viewer or about no viewer in particular (its subscription, its listener).
 * A series (`series: true`) of like steps by one side becomes one line with its count.
 */
export function signalingSteps(r: Pick<RunResult, 'events'>, viewer: string, camera: string): SignalingStepLine[] {
  const ofSession = (e: Event) => e.session === undefined || e.session === viewer || e.session === camera;
  const tagged = [
    ...(r.events[viewer] ?? []).filter((e) => e.event === 'signaling-step').map((e) => ['viewer', e] as const),
    ...(r.events[camera] ?? []).filter((e) => e.event === 'signaling-step' && ofSession(e)).map((e) => ['camera', e] as const),
  ].sort(([, a], [, b]) => a.t - b.t);
  const out: SignalingStepLine[] = [];
  const series = new Map<string, SignalingStepLine>();
  for (const [who, e] of tagged) {
    const line: SignalingStepLine = { event: e, who, protocol: String(e.protocol), step: String(e.step), detail: String(e.detail), count: 1 };
    if (e.series !== true) {
      out.push(line);
      continue;
    }
    const key = `${who}\n${line.protocol}\n${line.step}\n${line.detail}`;
    const seen = series.get(key);
    if (seen) seen.count++;
    else {
      series.set(key, line);
      out.push(line);
    }
  }
  return out;
}

/** "the viewer published a candidate on x (...); 3 of them, the first at this time" */
export function stepSentence(s: SignalingStepLine): string {
  return `the ${s.who} ${s.detail}${s.count > 1 ? `; ${s.count} of them, the first at this time` : ''}`;
}

/** The protocols a session's steps used, in order of first use. */
export function stepProtocols(steps: SignalingStepLine[]): string[] {
  return [...new Set(steps.map((s) => s.protocol))];
}
