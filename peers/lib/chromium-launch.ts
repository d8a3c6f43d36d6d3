/** Debian's Chromium as the lab's browser peers start it (playwright-core, no download). */
import type { Browser } from 'playwright-core';
import { dynamicImport } from '../../lab/util/dynamic-import.js';

export const CHROMIUM_PATH = process.env.LAB_CHROMIUM ?? '/usr/bin/chromium';

/**
 * Flags every lab browser needs: root needs --no-sandbox; fake media UI and no mDNS hiding, or
 * Chrome hides host candidates behind .local names nothing resolves in a namespace; no background
 * networking (the lab has no way out). `disableFeatures` and `extra` add what one peer needs.
 */
export async function launchChromium(opts: { disableFeatures?: string[]; extra?: string[] } = {}): Promise<Browser> {
  const { chromium } = await dynamicImport<typeof import('playwright-core')>('playwright-core');
  return chromium.launch({
    executablePath: CHROMIUM_PATH,
    args: [
      ...(process.getuid?.() === 0 ? ['--no-sandbox'] : []),
      '--disable-gpu',
      '--use-fake-ui-for-media-stream',
      `--disable-features=${['WebRtcHideLocalIpsWithMdns', ...(opts.disableFeatures ?? [])].join(',')}`,
      '--disable-background-networking',
      '--disable-component-update',
      '--no-first-run',
      '--disable-sync',
      '--autoplay-policy=no-user-gesture-required',
      ...(opts.extra ?? []),
    ],
  });
}
