import { describe, expect, it } from 'vitest';
import { scenarioFromData } from '../model/scenario.js';
import { checkStacksFit } from './stack-fit.js';

const scenario = (viewer: string, stack?: string) =>
  scenarioFromData({ name: 's', topology: 'full-cone', peers: { camera: { kind: 'pi-camera', host: 'b', ...(stack ? { stack } : {}) }, viewer: { kind: viewer, host: 'a' } } }, 's.yaml');

describe('checkStacksFit', () => {
  it('lets through the stack pairs that share a codec', () => {
    for (const [viewer, stack] of [['viewer', undefined], ['chromium-viewer', 'werift'], ['libwebrtc-viewer', 'libwebrtc'], ['chromium-viewer', 'libwebrtc'], ['firefox-viewer', 'libwebrtc']] as const) {
      expect(() => checkStacksFit(scenario(viewer, stack))).not.toThrow();
    }
  });

  it('refuses a viewer that cannot decode what the camera sends, naming both and what would work', () => {
    expect(() => checkStacksFit(scenario('firefox-viewer'))).toThrow(/peers\.viewer \(firefox-viewer\) decodes only VP8, and the werift pi-camera sends H264/);
    expect(() => checkStacksFit(scenario('viewer', 'libwebrtc'))).toThrow(/decodes only H264, and the libwebrtc pi-camera sends VP8/);
  });

  it('takes a stack only on a pi-camera', () => {
    expect(() => scenarioFromData({ name: 's', topology: 'full-cone', peers: { camera: { kind: 'pi-camera', host: 'b' }, viewer: { kind: 'viewer', host: 'a', stack: 'libwebrtc' } } }, 's.yaml')).toThrow(/peers\.viewer\.stack.*only a pi-camera takes a stack/s);
  });
});
