/**
 * Firefox viewer: Debian's firefox-esr driven by puppeteer-core over WebDriver BiDi, inside its
 * host's namespace, on the same page as the Chromium viewer (the lab serves it); same settings,
 * events and exit code as the other viewers (peers/README.md). Offline Firefox decodes VP8 only
 * (OpenH264 is a download): it needs the libwebrtc camera.
 */
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { EventName } from '../lab/contract/events.js';
import { LAB_DOMAIN } from '../lab/network/dns-names.js';
import { commonConfig, emit, fail, requireEnv } from './lib/contract.js';
import { browserViewerLifecycle } from './lib/browser-viewer-lifecycle.js';
import { viewerPageConfig } from './lib/viewer-page-config.js';

export const FIREFOX_PATH = process.env.LAB_FIREFOX ?? '/usr/bin/firefox-esr';
const cfg = commonConfig();
const remote = requireEnv('LAB_REMOTE_PEER');
if (!existsSync(FIREFOX_PATH)) fail(`no Firefox at ${FIREFOX_PATH} (apt-get install firefox-esr, or set LAB_FIREFOX)`);

async function main(): Promise<void> {
  const puppeteer = (await import('puppeteer-core')).default;
  // Firefox writes its profile and caches under HOME: a fresh one per run, removed at the end.
  const home = mkdtempSync(join(tmpdir(), 'lab-firefox-'));
  const browser = await puppeteer.launch({
    browser: 'firefox',
    protocol: 'webDriverBiDi',
    executablePath: FIREFOX_PATH,
    headless: true,
    acceptInsecureCerts: true,
    env: { ...process.env, HOME: home },
    extraPrefsFirefox: {
      // Otherwise host candidates hide behind mDNS names nothing resolves in a namespace.
      'media.peerconnection.ice.obfuscate_host_addresses': false,
      'media.navigator.permission.disabled': true,
      'network.proxy.type': 0,
      'app.update.enabled': false,
      'media.gmp-manager.updateEnabled': false,
      'datareporting.policy.dataSubmissionEnabled': false,
      'toolkit.telemetry.enabled': false,
    },
  });
  const life = browserViewerLifecycle(cfg.timeoutMs, async () => {
    await browser.close().catch(() => {});
    rmSync(home, { recursive: true, force: true });
  });
  emit('started', { peer: cfg.peerId, stack: `firefox ${(await browser.version()).replace(/^firefox\//i, '')}`, role: 'viewer' });
  const page = await browser.newPage();
  page.on('console', (m) => process.stderr.write(`[page] ${m.text()}\n`));
  page.on('pageerror', (e) => process.stderr.write(`[page error] ${(e as Error).message}\n`));
  await page.exposeFunction('labEmit', (event: EventName, fields: Record<string, unknown> = {}) => {
    emit(event, fields as never);
    if (event === 'done') {
      life.clearDeadline();
      void life.stop(0);
    }
  });
  const origin = new URL(cfg.iceConfigUrl).origin;
  await page.goto(`${origin}/peers/chromium-viewer.html`);
  try {
    await page.evaluate(
      (c) => window.startViewer(c),
      viewerPageConfig(cfg, remote, {
        // The Firefox viewer signals over the lab's own protocol only (lab/run/signaling-support.ts).
        signaling: 'lab',
        mqttUrl: null,
        whepUrl: null,
        // Firefox refuses TURN on a bare address for turns: (it checks the name): the lab's DNS name for it.
        turnHostname: `turn.${LAB_DOMAIN}`,
      }),
    );
  } catch (err) {
    if (life.finished) return;
    emit('error', { message: (err as Error).message.split('\n')[0] });
    await life.stop(1);
  }
}

main().catch((err: Error) => fail(err.message));
