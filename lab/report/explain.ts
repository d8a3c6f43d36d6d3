/**
 * --explain: the run told in order, with its own values, for someone learning WebRTC. Plain text,
 * readable without colour. Everything comes from the RunResult (its events and its network).
 */
import type { PairView, RunResult, SessionResult } from '../model/run-result.js';
import { upstreamRouters, type Topology } from '../model/topology.js';
import { annotateSdp } from './sdp.js';
import { natSummary } from './topology-summary.js';
import { directionLine } from './wire-lines.js';
import { kvsLines } from './explain-kvs.js';
import { whepLines } from './explain-whep.js';

interface Candidate {
  type: string;
  protocol: string;
  address: string;
  port: number;
  raddr?: string;
  rport?: number;
}

export function parseCandidate(line: string): Candidate | null {
  const m = /candidate:\S+ \d+ (\S+) \d+ (\S+) (\d+) typ (\S+)(?: raddr (\S+) rport (\d+))?/.exec(line);
  if (!m) return null;
  return { protocol: m[1].toLowerCase(), address: m[2], port: Number(m[3]), type: m[4], raddr: m[5], rport: m[6] ? Number(m[6]) : undefined };
}

type Event = RunResult['events'][string][number];

const ms = (v: number | null | undefined) => (v === null || v === undefined ? '—' : `${v.toFixed(1)} ms`);
const end = (c: PairView['local']) => `${c.candidateType} ${c.address || '(hidden)'}:${c.port}${c.relayProtocol ? ` via TURN/${c.relayProtocol}` : ''}`;

function hostInfo(t: Topology, host: string): string {
  const h = t.hosts.find((x) => x.name === host)!;
  const chain = upstreamRouters(t, host);
  const behind = chain.length ? chain.map((r) => `${r.name} (${r.natLabel}: ${natSummary(r)}; public ${r.outside.addresses[0]})`).join(', then ') : 'nothing: its address is public';
  return `host ${host}, ${h.iface.addresses[0]} on ${h.iface.segment}; behind ${behind}`;
}

/** Where a gathered candidate came from, in words. */
function provenance(c: Candidate, t: Topology, host: string, iceServers: string[]): string {
  const h = t.hosts.find((x) => x.name === host);
  if (c.type === 'host') return h?.iface.addresses.includes(c.address) ? `the address of interface ${h.iface.name} (${h.iface.segment})` : 'a local interface address (hidden or unknown to the lab)';
  const stun = iceServers.find((u) => u.startsWith('stun:')) ?? 'the STUN server';
  if (c.type === 'srflx') {
    const router = upstreamRouters(t, host).at(-1);
    return `a STUN binding to ${stun.replace('stun:', '')} answered "you are ${c.address}:${c.port}": ${router ? `${router.name} mapped ${c.raddr ?? 'the host'}:${c.rport ?? '?'} to it` : 'no NAT on the way'}`;
  }
  if (c.type === 'relay') {
    const turn = iceServers.find((u) => u.startsWith('turn')) ?? 'the TURN server';
    return `a TURN allocation (${turn}) gave this relayed address; packets sent to it reach the peer through the server`;
  }
  return 'learned from a connectivity check (peer-reflexive)';
}

function sdpSection(title: string, sdp: string | undefined): string[] {
  if (!sdp) return [`${title}: (the peer did not report its description)`];
  const { notes, codecs, candidates } = annotateSdp(sdp);
  const width = Math.min(46, Math.max(...notes.map((n) => n.line.length)));
  return [
    `${title}: ${sdp.split(/\r?\n/).filter(Boolean).length} lines; codecs offered: ${codecs.join(', ') || 'none'}; ${candidates} candidate line(s) inside${candidates ? '' : ' (they come by trickle ICE)'}`,
    ...notes.map((n) => `    ${n.line.padEnd(width)}  <- ${n.note}`),
  ];
}

function winnerReason(s: SessionResult, stack: string): string[] {
  // The prediction the run was judged against, as the run stored it.
  const predicted = s.prediction.outcome;
  const forced = s.prediction.iceTransportPolicy === 'relay';
  const out: string[] = [];
  const v = s.selectedPair.viewer;
  const types = s.candidateTypes;
  if (s.outcome === 'failed') return [`No pair won: ${s.failure}`];
  if (types.viewer === 'host' && types.camera === 'host') out.push('Both hosts reach each other directly (no NAT between them): the host pair works and has the highest priority.');
  if (types.viewer === 'srflx' || types.camera === 'srflx') {
    out.push('A server-reflexive address worked: the NAT in front of that side keeps one public mapping per inside endpoint (endpoint-independent mapping), so the address STUN learned is the one the other side can reach; each side\'s checks open its own NAT for the other\'s (hole punching).');
  }
  if (types.viewer === 'prflx' || types.camera === 'prflx') {
    out.push('A peer-reflexive address appears: checks arrived from an address that was never signalled, because a NAT gave that side a new mapping toward this peer (address- or port-dependent mapping), and the receiver learned it from the check itself.');
  }
  if (s.outcome === 'relay' && forced) {
    out.push('A relay was required: the ICE transport policy is "relay", so the peers gathered and offered only TURN (relay) candidates; whatever the NATs would allow, every pair goes through the TURN server.');
  } else if (s.outcome === 'relay') {
    out.push(predicted === 'relay'
      ? 'A relay was required: RFC 4787 predicts no direct path between these NATs (a side with no predictable mapping facing filtering that wants the exact address, or blocked UDP), so only the pair through TURN could succeed.'
      : 'A relay pair won although RFC 4787 predicts a direct path was possible: its check succeeded first and was nominated before a direct pair succeeded.');
  } else if (predicted === 'relay' && forced) {
    out.push('The ICE transport policy is "relay", yet a direct pair won: a peer gathered candidates other than relay ones, which it must not do under that policy.');
  } else if (predicted === 'relay') {
    out.push('RFC 4787 predicts a relay; the direct pair succeeding means a NAT here is more permissive than declared.');
  }
  out.push(
    stack === 'werift'
      ? 'The viewer is the controlling ICE agent; werift nominates the first pair whose check succeeds (aggressive nomination), so the first to answer wins.'
      : `The viewer (${stack}) is the controlling ICE agent and nominates the best pair that succeeded.`,
  );
  if (s.asymmetric) out.push('Note: the camera kept sending on a different pair than the one the viewer finally selected (see both views above).');
  if (v && v.local.candidateType === 'host' && types.viewer === 'srflx') out.push('(werift reports its own end of a server-reflexive pair as "host", its base; the camera saw it as srflx.)');
  return out;
}

/**
 * signaling: mqtt (pi-webrtc's topics): each side's subscriptions, then the offer and answer
 * publishes, and the trickled candidates counted per topic, from the peers' x-mqtt-* events.
 */
function mqttSteps(ve: Event[], cameraEvents: Event[], viewer: string): [Event, string][] {
  const mine = (e: Event) => e.event === 'x-mqtt-subscribed' || String(e.topic ?? '').endsWith(`/${viewer}`);
  const events = [...ve.map((e) => ['viewer', e] as const), ...cameraEvents.filter(mine).map((e) => ['camera', e] as const)].filter(([, e]) => e.event.startsWith('x-mqtt-'));
  const out: [Event, string][] = [];
  const candidates = new Map<string, { count: number; first: Event }>();
  for (const [who, e] of events) {
    if (e.event === 'x-mqtt-subscribed') out.push([e, `the ${who} connected to the MQTT broker (MQTT v5) and subscribed${e.noLocal ? ' with No-Local (its own publishes are not sent back to it)' : ''} to ${(e.topics as string[]).join(', ')}`]);
    else if (e.event === 'x-mqtt-replayed') out.push([e, `the ${who} published its ${e.messages} message(s) again: nothing from the camera yet (a publish nobody has subscribed to is lost)`]);
    else if (e.type) out.push([e, `the ${who} ${e.event === 'x-mqtt-published' ? `published its ${e.type} on` : `received the ${e.type} on`} ${e.topic}`]);
    else if (e.event === 'x-mqtt-published') {
      const key = `${who} ${e.topic}`;
      const seen = candidates.get(key);
      if (seen) seen.count++;
      else candidates.set(key, { count: 1, first: e });
    }
  }
  for (const [key, { count, first }] of candidates) {
    const [who, topic] = key.split(' ');
    out.push([first, `the ${who} began trickling its candidates on ${topic} (QoS 2, each {"sdpMid","sdpMLineIndex","candidate"}): ${count} in all`]);
  }
  return out;
}

export function explainRun(r: RunResult): string {
  const out: string[] = [];
  const t = r.network;
  const camera = r.peers.find((p) => p.role === 'camera')!;
  const lines = (n: number, title: string) => out.push('', `${n}. ${title}`, '-'.repeat(title.length + 3));
  out.push(`How ${r.scenario} went, step by step (run ${r.runId})`);

  for (const s of r.sessions) {
    const viewer = r.peers.find((p) => p.name === s.viewer)!;
    const ve = r.events[s.viewer] ?? [];
    const ce = (r.events[s.camera] ?? []).filter((e) => e.session === s.viewer || !e.session);
    const offerT = ve.find((e) => e.event === 'offer-sent')?.t ?? 0;
    const at = (e: Event | undefined) => (e ? ms(e.t - offerT) : '—');
    const find = (events: Event[], name: string, where: (e: Event) => boolean = () => true) => events.find((e) => e.event === name && where(e));
    if (r.sessions.length > 1) out.push('', `=== viewer ${s.viewer} ===`);

    lines(1, 'The network');
    out.push(`viewer ${viewer.name} (${viewer.stack}): ${hostInfo(t, viewer.host)}`);
    out.push(`camera ${camera.name} (${camera.stack}): ${hostInfo(t, camera.host)}`);
    out.push(`lab services on the internet: coturn on ${t.services.addresses.join(' and ')} (STUN and TURN on 3478, TURN over TLS on 5349 and 443), signaling and the ICE-config endpoint on ${t.services.addresses[1]}:443`);
    out.push('Times below are ms from the moment the viewer sent its offer (negative: before it).');

    lines(2, 'Signaling and ICE servers');
    const viewerServers = (find(ve, 'ice-config-fetched')?.iceServers as string[] | undefined) ?? [];
    const mqtt = find(ve, 'x-mqtt-subscribed') !== undefined;
    const kvs = kvsLines(s);
    const via = mqtt ? 'the MQTT broker' : kvs ? 'the KVS signaling channel (SDP_OFFER, from senderClientId ' + s.viewer + ')' : 'the signaling server';
    const steps: [Event | undefined, string][] = [
      [find(ve, 'ice-config-fetched'), `${mqtt || kvs ? 'the viewer' : 'it'} ${kvs ? 'has its ICE servers (GetIceServerConfig)' : 'fetched ICE servers from the ICE-config endpoint'}: ${viewerServers.join(', ') || '(none reported)'}; TURN credentials are time-limited (TURN REST: "<expiry>:<id>" and an HMAC of it)`],
      [find(ce, 'offer-received'), `the camera received the offer through ${via}; it fetched fresh TURN credentials for this viewer at ${at(find(ce, 'ice-config-fetched'))}`],
    ];
    if (mqtt) steps.push(...mqttSteps(ve, r.events[s.camera] ?? [], s.viewer));
    else if (kvs) steps.push(...kvs.map(([t, line]): [Event | undefined, string] => [t === null ? undefined : { t: t + offerT, event: 'x-kvs' }, line]));
    else steps.unshift([find(ve, 'signaling-connected'), `the viewer opened its WebSocket to the signaling server (a join token ties it to room "${r.scenario}" and to its own id)`]);
    // In time order (an unreported step last): over MQTT and KVS the two sides' steps interleave.
    steps.sort(([a], [b]) => (a?.t ?? Infinity) - (b?.t ?? Infinity));
    for (const [e, line] of steps) out.push(`${at(e)}  ${line}`);
    out.push(...whepLines(ve, at));

    lines(3, 'The offer (viewer -> camera)');
    out.push(...sdpSection(`sent at ${at(find(ve, 'offer-sent'))}`, find(ve, 'local-description')?.sdp as string | undefined));
    lines(4, 'The answer (camera -> viewer)');
    out.push(...sdpSection(`received at ${at(find(ve, 'answer-received'))}`, find(ce, 'local-description')?.sdp as string | undefined));

    lines(5, 'Candidates gathered');
    const cameraServers = (find(ce, 'ice-config-fetched')?.iceServers as string[] | undefined) ?? [];
    for (const [who, host, list, servers] of [['viewer', viewer.host, s.candidates.viewer, viewerServers], ['camera', camera.host, s.candidates.camera, cameraServers]] as const) {
      out.push(`${who}:`);
      for (const line of list) {
        const c = parseCandidate(line);
        if (c) out.push(`  ${c.type.padEnd(5)} ${`${c.protocol} ${c.address}:${c.port}`.padEnd(26)} ${provenance(c, t, host, [...servers])}`);
      }
      if (!list.length) out.push('  (none reported)');
    }
    out.push(`The viewer finished gathering at ${at(find(ve, 'gathering-complete'))}.`);

    lines(6, 'Connectivity checks: the candidate pairs');
    const pairs = (find(ve, 'candidate-pairs')?.pairs as { local: PairView['local']; remote: PairView['local']; state: string; nominated: boolean; requestsSent: number | null; responsesReceived: number | null }[] | undefined) ?? [];
    out.push(`ICE checking began at ${ms(s.timeline.iceChecking)}; the first pair was connected at ${ms(s.timeline.iceConnected)}. The viewer formed ${pairs.length || 'an unreported number of'} pair(s):`);
    for (const p of pairs) {
      const tries = p.requestsSent !== null ? ` (${p.requestsSent} check(s) sent, ${p.responsesReceived ?? 0} answered)` : '';
      out.push(`  ${p.nominated ? '*' : ' '} ${end(p.local).padEnd(34)} -> ${end(p.remote).padEnd(40)} ${p.state}${tries}`);
    }
    if (pairs.length) out.push('  (* nominated)');
    out.push(`Selected pair, viewer's view: ${s.selectedPair.viewer ? `${end(s.selectedPair.viewer.local)} <-> ${end(s.selectedPair.viewer.remote)}` : '—'}`);
    out.push(`Selected pair, camera's view: ${s.selectedPair.camera ? `${end(s.selectedPair.camera.local)} <-> ${end(s.selectedPair.camera.remote)}` : '—'}`);
    out.push(`Outcome: ${s.outcome.toUpperCase()} (viewer end ${s.candidateTypes.viewer ?? '?'}, camera end ${s.candidateTypes.camera ?? '?'}).`);
    out.push('Why:', ...winnerReason(s, viewer.stack).map((l) => `  ${l}`));

    lines(7, 'DTLS');
    const active = /a=setup:active/.test(String(find(ce, 'local-description')?.sdp ?? '')) ? 'the camera' : 'the viewer';
    out.push(`ICE connected at ${ms(s.timeline.iceConnected)}; the DTLS handshake was done at ${ms(s.timeline.dtlsConnected)} (${s.timeline.dtlsConnected !== null && s.timeline.iceConnected !== null ? ms(s.timeline.dtlsConnected - s.timeline.iceConnected) : "—"} of handshake). ${active[0].toUpperCase()}${active.slice(1)} started it (the DTLS client, a=setup:active); each side checked the other's certificate against the a=fingerprint of its description. SRTP keys for the video come from this handshake.`);

    lines(8, 'First media');
    const ff = find(ve, 'first-frame');
    out.push(`${ms(s.timeline.datachannelOpen)}  the telemetry datachannel opened (SCTP over the same DTLS transport)`);
    out.push(`${ms(s.timeline.firstFrame)}  the first whole H.264 IDR frame${ff?.bytes ? ` (${ff.bytes} bytes, with its SPS and PPS)` : ''} was ${viewer.stack === 'werift' ? 'reassembled from RTP packets' : 'decoded'} at the viewer`);
    out.push(`Setup (offer to datachannel open): ${ms(s.setupMs)}; first frame: ${ms(s.firstFrameMs)}.`);

    lines(9, 'What the wire saw');
    if (!s.wire) out.push(`No capture of the internet: ${r.wire && !r.wire.captured ? r.wire.reason : 'an older result'}.`);
    else {
      out.push('One capture of every packet on the lab\'s internet (plus the services host\'s loopback), read without asking the peers: each direction is the path its DTLS and media packets took, unwrapped from TURN where they were relayed (times from the offer).');
      for (const d of s.wire.directions) out.push(`  ${directionLine(d, offerT)}`);
      out.push(`By the wire alone the session is ${s.wire.outcome === null ? 'impossible to tell' : s.wire.outcome.toUpperCase()}; the peers said ${s.outcome.toUpperCase()}.`);
      for (const x of s.wire.disagreements) out.push(`  Disagreement: ${x}. A side sends on its own selected pair: when the two sides select different pairs, the two directions take different paths.`);
      for (const x of s.wire.notes) out.push(`  Note: ${x}.`);
    }
  }
  return out.join('\n');
}
