import { describe, expect, it } from 'vitest';
import type { MatrixResult } from '../model/matrix-result.js';
import { stacksReport, stacksText } from './stacks-report.js';

const cell = (viewer: string, camera: string, predicted: 'direct' | 'relay', outcomes: string[]) =>
  ({ id: `${viewer}__${camera}`, viewer, camera, predicted, attempts: outcomes.map((outcome, i) => ({ repeat: i + 1, attempt: 1, passed: outcome === predicted, outcome })) }) as unknown as MatrixResult['cells'][number];
const matrix = (viewerKind: string, cameraStack: string, cells: MatrixResult['cells']) => ({ viewerKind, cameraStack, presets: ['full-cone', 'symmetric'], cells }) as unknown as MatrixResult;

describe('stacksReport', () => {
  it('counts runs that reached the predicted class per cell and stack pair, and lists where they did not', () => {
    const r = stacksReport([
      matrix('libwebrtc', 'libwebrtc', [cell('full-cone', 'full-cone', 'direct', ['direct', 'direct']), cell('symmetric', 'symmetric', 'relay', ['relay', 'relay'])]),
      matrix('chromium', 'werift', [cell('full-cone', 'full-cone', 'direct', ['direct', 'relay']), cell('symmetric', 'symmetric', 'relay', ['relay', 'failed'])]),
    ]);
    expect(r.pairs.map((p) => [p.viewer, p.camera, p.agreed, p.runs])).toEqual([['libwebrtc', 'libwebrtc', 4, 4], ['chromium', 'werift', 2, 4]]);
    expect(r.disagreements).toEqual([
      { pair: 'chromium viewer x werift camera', cell: 'full-cone x full-cone', predicted: 'direct', outcomes: ['direct', 'relay'] },
      { pair: 'chromium viewer x werift camera', cell: 'symmetric x symmetric', predicted: 'relay', outcomes: ['relay', 'failed'] },
    ]);
    const text = stacksText(r);
    expect(text).toMatch(/full-cone x full-cone\s+direct\s+2\/2\s+1\/2/);
    expect(text).toMatch(/pass rate\s+4\/4 100%\s+2\/4 50%/);
    expect(text).toContain('chromium viewer x werift camera, full-cone x full-cone: predicted direct, got direct,relay');
  });
});
