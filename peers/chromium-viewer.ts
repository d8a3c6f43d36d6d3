/**
 * Chromium viewer: Debian's chromium driven by playwright-core, inside its host's namespace, on a
 * page the lab serves; same settings, events and exit code as the werift viewer (peers/README.md).
 * The page signals itself (chromium/page-signaling.ts); for WHEP its fetch() requests to the
 * camera's endpoint are carried here, through the tunnel over the lab's relay (lib/http-tunnel.ts).
 * For KVS the page loads the official SDK's browser build and the page's AWS SDK code
 * (chromium/kvs-page.ts) and reaches the emulator by the real AWS names with the lab's key trusted.
 */
import { existsSync } from 'node:fs';
import type { Page, Route } from 'playwright-core';
import type { EventName } from '../lab/contract/events.js';
import { projectPath } from '../lab/util/paths.js';
import { commonConfig, emit, envChoice, envNumber, fail, requireEnv } from './lib/contract.js';
import { HoldMonitor } from './lib/hold-monitor.js';
import { browserViewerLifecycle } from './lib/browser-viewer-lifecycle.js';
import { CHROMIUM_PATH, launchChromium } from './lib/chromium-launch.js';
import { tunnelTransport, type HttpTransport } from './lib/http-tunnel.js';
import { kvsBrowserBuild, kvsSettings } from './lib/kvs-settings.js';
import { SignalingClient } from './lib/signaling-client.js';
import { viewerPageConfig } from './lib/viewer-page-config.js';

const cfg = commonConfig();
const remote = requireEnv('LAB_REMOTE_PEER');
const protocol = envChoice('LAB_SIGNALING', ['lab', 'mqtt', 'whep', 'kvs'] as const, 'lab');
const mqttUrl = protocol === 'mqtt' ? requireEnv('LAB_MQTT_WS_URL') : null;
const kvs = protocol === 'kvs' ? { settings: kvsSettings(), sdk: kvsBrowserBuild(), spki: requireEnv('LAB_TLS_SPKI') } : null;
/** The lab's services serve the page (http): its origin. */
const origin = new URL(cfg.iceConfigUrl).origin;
/** Keep the call up this long after the first frame (0: finish at once). */
const holdMs = envNumber('LAB_HOLD_MS', 0);
if (!existsSync(CHROMIUM_PATH)) fail(`no Chromium at ${CHROMIUM_PATH} (install Debian's chromium, or set LAB_CHROMIUM)`);

async function main(): Promise<void> {
  const browser = await launchChromium({ extra: kvs ? kvsFlags(kvs.spki) : ['--ignore-certificate-errors'] });
  // playwright removes its temporary profile on close
  const life = browserViewerLifecycle(cfg.timeoutMs, () => browser.close());
  emit('started', { peer: cfg.peerId, stack: `chromium ${browser.version()}`, role: 'viewer' });
  const page = await browser.newPage();
  page.on('console', (m) => process.stderr.write(`[page] ${m.text()}\n`));
  page.on('pageerror', (e) => process.stderr.write(`[page error] ${e.message}\n`));
  const hold = holdMs ? new HoldMonitor(remote) : null;
  // The page's events are typed where it makes them (chromium/viewer-page.ts); the lab checks every line.
  await page.exposeFunction('labEmit', (event: EventName, fields: Record<string, unknown> = {}) => {
    emit(event, fields as never);
    if (event === 'first-frame' && hold) {
      life.clearDeadline();
      hold.frame(); // the stall clock starts at the first frame, not at launch
    }
    // A browser says "disconnected" within seconds of losing its path (werift never does).
    if (event === 'ice-state' && hold?.started && (fields.state === 'disconnected' || fields.state === 'failed')) hold.failed(`ICE ${fields.state}`);
    if (event === 'done') {
      life.clearDeadline();
      void life.stop(0);
    }
  });
  if (hold) {
    await page.exposeFunction('labFrames', (count: number) => {
      for (let i = 0; i < count; i++) hold.frame();
    });
    let attempt = 0;
    hold.onStall = async (reason) => {
      attempt++;
      emit('ice-restart', { session: remote, attempt, reason, method: 'restart-ice' });
      hold.restarted();
      await page.evaluate((r) => window.restartViewer(r), reason);
    };
  }
  // WHEP: the camera's endpoint appears at the relay's origin (the public end of its tunnel).
  const whepUrl = protocol === 'whep' ? `${origin}/whep` : null;
  if (whepUrl) {
    const relay = await SignalingClient.connect(`${cfg.signalingUrl}?room=${cfg.room}&peer=${cfg.peerId}&token=${cfg.token}`, Date.now() + cfg.timeoutMs);
    await routeWhep(page, origin, tunnelTransport(relay, remote, cfg.timeoutMs));
  }
  await page.goto(`${origin}/peers/chromium-viewer.html`);
  if (kvs) {
    // As a KVS sample page's script tags: the SDK's browser build, then the page's own code.
    await page.addScriptTag({ path: kvs.sdk });
    await page.addScriptTag({ path: projectPath('dist', 'peers', 'chromium-kvs-page.js') });
  }
  try {
    await page.evaluate((c) => window.startViewer(c), viewerPageConfig(cfg, remote, { signaling: protocol, mqttUrl, whepUrl, kvs: kvs?.settings ?? null, hold: hold !== null }));
    if (hold) {
      await hold.run(holdMs);
      await page.evaluate(() => window.endViewer());
    }
  } catch (err) {
    if (life.finished) return; // the page said "done" and the browser is closing under it
    emit('error', { message: (err as Error).message.split('\n')[0] });
    await life.stop(1);
  }
}

/**
 * KVS: the page signs with WebCrypto (the KVS SDK's presigned URL, the AWS SDK's SigV4), which needs
 * a secure context: the samples are served over https, the lab's page over http, so its origin is
 * declared secure. The emulator's https/wss are checked against the lab's server key (Chromium on
 * Linux trusts an NSS database, not a CA file: docs/own-services-dns-ca.md) instead of ignoring
 * every certificate error.
 */
function kvsFlags(spki: string): string[] {
  return [`--unsafely-treat-insecure-origin-as-secure=${origin}`, `--ignore-certificate-errors-spki-list=${spki}`];
}

/** Hop-by-hop and framing headers are the browser's business, not the tunnelled answer's. */
const NOT_FORWARDED = new Set(['connection', 'keep-alive', 'transfer-encoding', 'content-length', 'date']);

/**
 * The page's WHEP requests (the POST to /whep, PATCH and DELETE of /resource/<id>) go to the
 * camera through the tunnel, headers and body as the page sent them; its answer, status and
 * headers included (Location, ETag), is what fetch() sees.
 */
async function routeWhep(page: Page, origin: string, http: HttpTransport): Promise<void> {
  const ours = (url: URL) => url.origin === origin && (url.pathname === '/whep' || url.pathname.startsWith('/resource/'));
  await page.route(ours, async (route: Route) => {
    const req = route.request();
    const url = new URL(req.url());
    const headers = Object.fromEntries(Object.entries(await req.allHeaders()).filter(([k]) => k === 'content-type' || k === 'if-match' || k === 'authorization' || k === 'accept'));
    try {
      const answer = await http({ method: req.method(), path: url.pathname + url.search, headers, body: req.postData() ?? '' });
      await route.fulfill({ status: answer.status, headers: Object.fromEntries(Object.entries(answer.headers).filter(([k]) => !NOT_FORWARDED.has(k))), body: answer.body });
    } catch (err) {
      await route.fulfill({ status: 502, contentType: 'text/plain', body: `tunnel to ${remote}: ${(err as Error).message}` });
    }
  });
}

main().catch((err: Error) => fail(err.message));
