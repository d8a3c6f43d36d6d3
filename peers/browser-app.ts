/**
 * Browser peer (kind "browser"): Debian's Chromium, driven by playwright-core inside its host's
 * namespace, loads the user's own page by its lab DNS name (https through the lab CA's key), runs
 * the scenario's actions, and records every RTCPeerConnection the page makes through an init script
 * that wraps the constructor without changing what the page sees. It prints what it recorded as
 * JSON lines (the lab's own events; the page knows nothing of them) and exits 0 once a peer
 * connection of the page connected (and every action is done) and it stayed up holdMs; 1 otherwise.
 * LAB_TIMEOUT_MS counts from Chromium's launch, so a slow start does not eat the page's time.
 *
 * Settings (environment): LAB_URL, LAB_ACTIONS (JSON), LAB_FIELD (the scenario field, for errors),
 * LAB_TIMEOUT_MS, LAB_HOLD_MS, LAB_TLS_SPKI, LAB_CHROMIUM.
 */
import { existsSync, writeSync } from 'node:fs';
import { CHROMIUM_PATH, launchChromium } from './lib/chromium-launch.js';

type Action = { click: string } | { waitForText: string };

const t = () => Math.round((Number(process.hrtime.bigint()) / 1e6) * 1000) / 1000;
const emit = (event: string, fields: Record<string, unknown> = {}) => process.stdout.write(JSON.stringify({ t: t(), event, ...fields }) + '\n');
const field = process.env.LAB_FIELD ?? 'peers.browser';
const url = process.env.LAB_URL ?? '';
const actions = JSON.parse(process.env.LAB_ACTIONS ?? '[]') as Action[];
const timeoutMs = Number(process.env.LAB_TIMEOUT_MS ?? 15000);
const holdMs = Number(process.env.LAB_HOLD_MS ?? 1000);

let exiting = false;
let closeBrowser: () => Promise<void> = async () => {};
async function finish(code: number, message?: string): Promise<never> {
  if (!exiting) {
    exiting = true;
    if (message) writeSync(1, JSON.stringify({ t: t(), event: 'error', message }) + '\n');
    await closeBrowser().catch(() => {});
  }
  process.exit(code);
}
process.on('SIGTERM', () => void finish(143));

/**
 * Runs in the page before its own scripts: every RTCPeerConnection it makes reports its states,
 * candidates and (every 500 ms) the getStats selected pair through window.labRecord. A subclass,
 * so `instanceof`, methods and events behave as without it.
 */
function recordPeerConnections(): void {
  const w = window as unknown as { RTCPeerConnection: typeof RTCPeerConnection; labRecord: (e: string, f: unknown) => void };
  const Original = w.RTCPeerConnection;
  if (!Original) return;
  let count = 0;
  const record = (event: string, fields: Record<string, unknown>) => void w.labRecord?.(event, fields);
  class Recorded extends Original {
    constructor(config?: RTCConfiguration) {
      super(config);
      const pc = count++;
      const servers = (config?.iceServers ?? []).flatMap((s) => (Array.isArray(s.urls) ? s.urls : [s.urls]));
      record('pc-created', { pc, iceServers: servers, iceTransportPolicy: config?.iceTransportPolicy ?? 'all' });
      this.addEventListener('iceconnectionstatechange', () => record('ice-state', { pc, state: this.iceConnectionState }));
      this.addEventListener('connectionstatechange', () => record('connection-state', { pc, state: this.connectionState }));
      this.addEventListener('icegatheringstatechange', () => record('gathering-state', { pc, state: this.iceGatheringState }));
      this.addEventListener('icecandidate', (e) => e.candidate?.candidate && record('local-candidate', { pc, candidate: e.candidate.candidate }));
      const add = this.addIceCandidate.bind(this);
      this.addIceCandidate = ((c?: RTCIceCandidateInit | RTCIceCandidate | null, ...rest: unknown[]) => {
        if (c && 'candidate' in c && c.candidate) record('remote-candidate', { pc, candidate: c.candidate });
        return (add as (...a: unknown[]) => Promise<void>)(c, ...rest);
      }) as typeof this.addIceCandidate;
      let last = '';
      const timer = setInterval(async () => {
        if (this.connectionState === 'closed') return clearInterval(timer);
        const stats = await this.getStats().catch(() => null);
        if (!stats) return;
        const all = [...stats.values()] as Record<string, unknown>[];
        const transport = all.find((s) => s.type === 'transport' && s.selectedCandidatePairId);
        const pair = transport ? stats.get(String(transport.selectedCandidatePairId)) : all.find((s) => s.type === 'candidate-pair' && s.nominated && s.state === 'succeeded');
        if (!pair) return;
        const end = (id: unknown) => {
          const c = stats.get(String(id));
          return c && { candidateType: c.candidateType, protocol: c.protocol, address: c.address ?? c.ip, port: c.port, relayProtocol: c.relayProtocol ?? null };
        };
        const view = { local: end(pair.localCandidateId), remote: end(pair.remoteCandidateId), rttMs: typeof pair.currentRoundTripTime === 'number' ? pair.currentRoundTripTime * 1000 : null };
        const key = JSON.stringify([view.local, view.remote]);
        if (key !== last) record('selected-pair', { pc, pair: view });
        last = key;
      }, 500);
    }
  }
  w.RTCPeerConnection = Recorded as typeof RTCPeerConnection;
}

async function main(): Promise<void> {
  if (!url) await finish(1, `${field}.url: no URL given`);
  if (!existsSync(CHROMIUM_PATH)) await finish(1, `no Chromium at ${CHROMIUM_PATH} (install Debian's chromium, or set LAB_CHROMIUM)`);
  const pcs = new Map<number, { connected: boolean }>();
  let stage = 'opening the page';
  const stuck = () =>
    !pcs.size
      ? `${field}: the page at ${url} made no RTCPeerConnection within ${timeoutMs} ms (while ${stage})`
      : `${field}: none of the page's ${pcs.size} peer connection(s) connected within ${timeoutMs} ms (while ${stage})`;
  const browser = await launchChromium({
    // Names resolved by getaddrinfo (the lab DNS), not Chrome's own resolver.
    disableFeatures: ['AsyncDns'],
    extra: [
      '--use-fake-device-for-media-stream',
      // The lab CA's one key, for every lab name (docs/own-services-dns-ca.md), nothing else.
      ...(process.env.LAB_TLS_SPKI ? [`--ignore-certificate-errors-spki-list=${process.env.LAB_TLS_SPKI}`] : []),
    ],
  });
  closeBrowser = () => browser.close();
  // From here: launching Chromium (seconds on a loaded machine) is the lab's time, not the page's.
  const deadline = setTimeout(() => void finish(1, stuck()), timeoutMs);
  emit('started', { stack: `chromium ${browser.version()}`, url });
  const page = await browser.newPage();
  page.on('console', (m) => process.stderr.write(`[page] ${m.text()}\n`));
  page.on('pageerror', (e) => process.stderr.write(`[page error] ${e.message}\n`));
  let onChange = () => {};
  await page.exposeFunction('labRecord', (event: string, fields: Record<string, unknown>) => {
    if (exiting) return;
    emit(event, fields);
    const pc = Number(fields.pc);
    if (event === 'pc-created') pcs.set(pc, { connected: false });
    if (event === 'connection-state' && fields.state === 'connected') pcs.get(pc)!.connected = true;
    onChange();
  });
  await page.addInitScript(recordPeerConnections);

  stage = 'loading the page';
  try {
    const res = await page.goto(url, { timeout: timeoutMs, waitUntil: 'load' });
    if (res && res.status() >= 400) await finish(1, `${field}.url: ${url} answered HTTP ${res.status()}`);
  } catch (err) {
    await finish(1, `${field}.url: ${url} did not load: ${(err as Error).message.split('\n')[0]}`);
  }
  emit('page-loaded', { url: page.url() });
  for (const [i, a] of actions.entries()) {
    stage = `actions[${i}] ${JSON.stringify(a)}`;
    try {
      if ('click' in a) await page.click(a.click, { timeout: timeoutMs });
      else await page.getByText(a.waitForText).first().waitFor({ timeout: timeoutMs });
    } catch (err) {
      if (exiting) return;
      await finish(1, `${field}.actions[${i}]: ${(err as Error).message.split('\n')[0]}`);
    }
    emit('action-done', { index: i, action: a });
  }
  stage = 'waiting for a peer connection to connect';
  await new Promise<void>((resolve) => {
    onChange = () => [...pcs.values()].some((p) => p.connected) && resolve();
    onChange();
  });
  clearTimeout(deadline);
  await new Promise((r) => setTimeout(r, holdMs));
  emit('done', { ok: true, peerConnections: pcs.size });
  await finish(0);
}

main().catch((err: Error) => void finish(1, `${field}: ${err.message.split('\n')[0]}`));
