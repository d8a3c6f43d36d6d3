/**
 * `npm run bench -- services`: the real services process on 127.0.0.1 (loopback only): sockets and
 * WebSockets held, messages relayed per second, offer -> answer round trips idle and under a flood,
 * the join of a 500-peer room, and the process's memory.
 */
import { percentile } from '../lab/util/stats.js';
import { httpRequest, rawSocket, signalingClient, startLoopbackServices, type LoopbackServices, type TestClient } from '../lab/services/loopback-harness.js';
import type { Socket } from 'node:net';
import { loadavg } from 'node:os';

const CROWD = 500;
const IDLE_SOCKETS = 3000;
const FLOOD_MS = 5000;
const ROUND_TRIPS = 200;

export interface ServicesBench {
  idleSocketsOpened: number;
  socketsHeldByServer: number;
  maxSockets: number;
  healthUnderIdleFloodMs: number;
  websocketsHeld: number;
  relayedPerSecond: number;
  floodSent: number;
  floodLost: number;
  offerAnswerIdleMs: { p50: number; p99: number };
  offerAnswerLoadedMs: { p50: number; p99: number };
  crowdJoinMs: number;
  crowdFanoutMs: number;
  crowdFanoutMessages: number;
  crowdLongestGapMs: number;
  /** CPU the services process used for the room's join and for the flood: less noisy than wall time on a shared machine. */
  crowdServicesCpuMs: number;
  floodServicesCpuMs: number;
  rssMb: { start: number; peak: number; end: number };
  loadAverage: number;
}

export async function benchServices(log: (s: string) => void = () => {}): Promise<ServicesBench> {
  const crowd = Array.from({ length: CROWD }, (_, i) => `p${i}`);
  log(`load average at start: ${loadavg().map((l) => l.toFixed(1)).join(' ')} (the figures are wall time on this machine, shared or not; services CPU is the steadier one)`);
  const svc = await startLoopbackServices({ rooms: { pair: ['cam', 'view'], flood: ['src', 'sink'], crowd } });
  let peak = svc.rssMb();
  const sampler = setInterval(() => (peak = Math.max(peak, svc.rssMb())), 100);
  const start = svc.rssMb();
  const clients: TestClient[] = [];
  try {
    const maxSockets = Number(/"maxSockets":(\d+)/.exec(await svc.waitForLine(/"event":"ready"/, 1000))?.[1] ?? 0);

    // Idle TCP connections: how many the server holds, and whether /health still answers.
    const idle: Socket[] = [];
    for (let i = 0; i < IDLE_SOCKETS; i += 250) idle.push(...(await Promise.all(Array.from({ length: 250 }, () => rawSocket(svc.port)))));
    const held = svc.openFds();
    const h0 = performance.now();
    await httpRequest(svc.port, 'GET', '/health');
    const healthMs = performance.now() - h0;
    for (const s of idle) s.destroy();
    log(`idle TCP sockets: ${idle.length} opened (never sending a byte), the services process held ${held} fds (socket cap ${maxSockets}; idle ones are closed after 5 s); /health answered in ${healthMs.toFixed(1)} ms meanwhile`);

    // The 500-peer room: every join is announced to everyone already there.
    const welcomed: number[] = [];
    const members: TestClient[] = [];
    const expected = (CROWD * (CROWD - 1)) / 2;
    const fanout = () => members.reduce((n, c) => n + c.messages.filter((m) => m.type === 'peer-joined').length, 0);
    const cpu0 = svc.cpuMs();
    const t0 = performance.now();
    await Promise.all(
      crowd.map(async (p) => {
        const c = await signalingClient(svc.port, 'crowd', p, svc.token('crowd', p));
        members.push(c);
        welcomed.push(performance.now() - t0);
      }),
    );
    clients.push(...members);
    const joinMs = performance.now() - t0;
    await until(() => fanout() >= expected, 60_000);
    const fanoutDone = performance.now() - t0;
    const crowdCpuMs = svc.cpuMs() - cpu0;
    for (const c of members) c.messages.length = 0;
    welcomed.sort((a, b) => a - b);
    const longestGap = welcomed.slice(1).reduce((m, t, i) => Math.max(m, t - welcomed[i]), 0);
    log(`${CROWD}-peer room: all joined in ${joinMs.toFixed(0)} ms, ${expected} peer-joined messages delivered by ${fanoutDone.toFixed(0)} ms (services CPU ${crowdCpuMs} ms), longest gap between two joins ${longestGap.toFixed(0)} ms`);
    log(`WebSockets held: ${CROWD} (plus the pairs below); services RSS ${svc.rssMb().toFixed(0)} MB`);

    // Offer -> answer on a held pair, idle.
    const cam = await signalingClient(svc.port, 'pair', 'cam', svc.token('pair', 'cam'));
    const view = await signalingClient(svc.port, 'pair', 'view', svc.token('pair', 'view'));
    clients.push(cam, view);
    cam.ws.on('message', (d) => {
      const m = JSON.parse(d.toString()) as { type: string; sdp?: string };
      if (m.type === 'offer') cam.send({ type: 'answer', to: 'view', sdp: m.sdp });
    });
    const idleRtt = await roundTrips(view, ROUND_TRIPS, 0);
    log(`offer -> answer, idle: p50 ${idleRtt.p50.toFixed(2)} ms, p99 ${idleRtt.p99.toFixed(2)} ms (${ROUND_TRIPS} round trips)`);

    // A flood from one peer to another, as fast as the sender may (it respects backpressure).
    const src = await signalingClient(svc.port, 'flood', 'src', svc.token('flood', 'src'));
    const sink = await signalingClient(svc.port, 'flood', 'sink', svc.token('flood', 'sink'));
    clients.push(src, sink);
    let received = 0;
    sink.ws.on('message', (d) => d.toString().startsWith('{"type":"candidate"') && received++);
    let sent = 0;
    let flooding = true;
    const floodCpu0 = svc.cpuMs();
    const candidate = (n: number) => JSON.stringify({ type: 'candidate', to: 'sink', candidate: { candidate: `candidate:${n} 1 udp 2122260223 10.0.0.1 ${10000 + (n % 50000)} typ host` } });
    const pump = (async () => {
      const end = performance.now() + FLOOD_MS;
      while (performance.now() < end) {
        for (let k = 0; k < 100 && src.ws.bufferedAmount < 256 * 1024; k++) src.ws.send(candidate(sent++));
        sink.messages.length = 0; // counted by the listener above; holding them would only feed the GC
        await new Promise((r) => setImmediate(r));
      }
      flooding = false;
    })();
    const loaded = await roundTrips(view, ROUND_TRIPS, FLOOD_MS / ROUND_TRIPS / 2, () => flooding);
    await pump;
    await until(() => received >= sent, 10_000);
    const floodCpuMs = svc.cpuMs() - floodCpu0;
    const rate = (received / FLOOD_MS) * 1000;
    log(`flood: ${sent} messages in ${FLOOD_MS} ms relayed, ${(rate / 1000).toFixed(1)}k msg/s, ${sent - received} lost (services CPU ${floodCpuMs} ms: ${((floodCpuMs / FLOOD_MS) * 100).toFixed(0)}% of one core)`);
    log(`offer -> answer under the flood: p50 ${loaded.p50.toFixed(2)} ms, p99 ${loaded.p99.toFixed(2)} ms (${loaded.n} round trips)`);
    const end = svc.rssMb();
    log(`services RSS: ${start.toFixed(0)} MB at start, ${peak.toFixed(0)} MB peak, ${end.toFixed(0)} MB at the end`);
    return {
      idleSocketsOpened: idle.length,
      socketsHeldByServer: held,
      maxSockets,
      healthUnderIdleFloodMs: healthMs,
      websocketsHeld: CROWD + 4,
      relayedPerSecond: rate,
      floodSent: sent,
      floodLost: sent - received,
      offerAnswerIdleMs: { p50: idleRtt.p50, p99: idleRtt.p99 },
      offerAnswerLoadedMs: { p50: loaded.p50, p99: loaded.p99 },
      crowdJoinMs: joinMs,
      crowdFanoutMs: fanoutDone,
      crowdFanoutMessages: expected,
      crowdLongestGapMs: longestGap,
      crowdServicesCpuMs: crowdCpuMs,
      floodServicesCpuMs: floodCpuMs,
      rssMb: { start, peak, end },
      loadAverage: loadavg()[0],
    };
  } finally {
    clearInterval(sampler);
    for (const c of clients) c.ws.terminate();
    await stopped(svc);
  }
}

/** Offer -> answer round trips on a held pair (the camera side echoes an answer). */
async function roundTrips(view: TestClient, n: number, gapMs: number, whileTrue: () => boolean = () => true): Promise<{ p50: number; p99: number; n: number }> {
  const rtts: number[] = [];
  for (let i = 0; i < n && whileTrue(); i++) {
    const t = performance.now();
    view.send({ type: 'offer', to: 'cam', sdp: `v=0 ${i}` });
    await view.next('answer', 10_000);
    rtts.push(performance.now() - t);
    if (gapMs) await new Promise((r) => setTimeout(r, gapMs));
  }
  return { p50: percentile(rtts, 50) ?? NaN, p99: percentile(rtts, 99) ?? NaN, n: rtts.length };
}

async function until(check: () => boolean, timeoutMs: number): Promise<void> {
  const end = performance.now() + timeoutMs;
  while (!check()) {
    if (performance.now() > end) throw new Error(`bench: condition not met within ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

async function stopped(svc: LoopbackServices): Promise<void> {
  if (svc.exited) throw new Error(`the services process died during the bench: ${JSON.stringify(svc.exited)}\n${svc.lines.slice(-5).join('\n')}`);
  await svc.stop();
}
