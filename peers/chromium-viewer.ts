/**
 * Chromium viewer: Debian's chromium driven by playwright-core, inside its host's namespace, on a
 * page the lab serves; same settings, events and exit code as the werift viewer (peers/README.md).
 */
import { existsSync } from 'node:fs';
import type { EventName } from '../lab/contract/events.js';
import { commonConfig, emit, fail, requireEnv } from './lib/contract.js';
import { CHROMIUM_PATH, launchChromium } from './lib/chromium-launch.js';

const cfg = commonConfig();
const remote = requireEnv('LAB_REMOTE_PEER');
if (!existsSync(CHROMIUM_PATH)) fail(`no Chromium at ${CHROMIUM_PATH} (install Debian's chromium, or set LAB_CHROMIUM)`);

async function main(): Promise<void> {
  const browser = await launchChromium({ extra: ['--ignore-certificate-errors'] });
  let finished = false;
  const stop = async (code: number) => {
    finished = true;
    await browser.close().catch(() => {}); // playwright removes its temporary profile
    process.exit(code);
  };
  process.on('SIGTERM', () => void stop(143));
  const timer = setTimeout(() => {
    emit('error', { message: `no first video frame within ${cfg.timeoutMs} ms`, stage: 'browser' });
    void stop(1);
  }, cfg.timeoutMs);
  emit('started', { peer: cfg.peerId, stack: `chromium ${browser.version()}`, role: 'viewer' });
  const page = await browser.newPage();
  page.on('console', (m) => process.stderr.write(`[page] ${m.text()}\n`));
  page.on('pageerror', (e) => process.stderr.write(`[page error] ${e.message}\n`));
  // The page's events are typed where it makes them (chromium/viewer-page.ts); the lab checks every line.
  await page.exposeFunction('labEmit', (event: EventName, fields: Record<string, unknown> = {}) => {
    emit(event, fields as never);
    if (event === 'done') {
      clearTimeout(timer);
      void stop(0);
    }
  });
  const origin = new URL(cfg.iceConfigUrl).origin;
  await page.goto(`${origin}/peers/chromium-viewer.html`);
  try {
    await page.evaluate((c) => window.startViewer(c), {
      peerId: cfg.peerId,
      room: cfg.room,
      token: cfg.token,
      remote,
      signalingUrl: cfg.signalingUrl,
      iceConfigUrl: cfg.iceConfigUrl,
      icePolicy: cfg.icePolicy,
      turnTransports: cfg.turnTransports,
      trickle: cfg.trickle,
    });
  } catch (err) {
    if (finished) return; // the page said "done" and the browser is closing under it
    emit('error', { message: (err as Error).message.split('\n')[0] });
    await stop(1);
  }
}

main().catch((err: Error) => fail(err.message));
