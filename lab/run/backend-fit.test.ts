import { describe, expect, it } from 'vitest';
import type { BackendCapabilities } from '../backends/backend.js';
import { loadScenario } from '../model/scenario.js';
import { projectPath } from '../util/paths.js';
import { BACKENDS } from '../backends/registry.js';
import { checkBackendFits } from './backend-fit.js';

const backend = (name: string, caps: Partial<BackendCapabilities>): { name: string; capabilities: BackendCapabilities } => ({
  name,
  capabilities: { customImages: false, browsers: false, concurrentLabs: false, callEvents: false, privileges: '', hostFiles: 'per-process', ...caps },
});

describe('backend fit', () => {
  it('a Chromium viewer needs a backend with browsers, and the hint names those that have them', () => {
    const s = loadScenario('chromium-full-cone');
    expect(() => checkBackendFits(s, backend('third', {}))).toThrow(/peers\.\w+ is a Chromium viewer, and the third backend runs no browsers/);
    try {
      checkBackendFits(s, backend('third', {}));
    } catch (err) {
      expect((err as { hint?: string }).hint).toBe('run it with --backend netns');
    }
    expect(() => checkBackendFits(s, backend('third', { browsers: true }))).not.toThrow();
  });

  it('a browser peer (kind: browser) needs a backend with browsers too', () => {
    const s = loadScenario(projectPath('examples', 'browser-app', 'full-cone.yaml'));
    expect(() => checkBackendFits(s, backend('third', {}))).toThrow(/peers\.callee is a browser peer \(kind: browser\), and the third backend runs no browsers/);
    expect(() => checkBackendFits(s, backend('third', { browsers: true }))).not.toThrow();
  });

  it('a peer image needs a backend that runs images', () => {
    const s = loadScenario('port-restricted-cone');
    s.viewers[0] = { ...s.viewers[0], image: 'me/viewer:1' };
    expect(() => checkBackendFits(s, backend('third', { browsers: true }))).toThrow(`peers.${s.viewers[0].name}.image (me/viewer:1) needs a backend that runs peer images, and third does not`);
    expect(() => checkBackendFits(s, backend('third', { customImages: true }))).not.toThrow();
  });

  it('signaling: kvs runs on netns only, and docker says so naming the backend', () => {
    const s = loadScenario('kvs-full-cone');
    expect(() => checkBackendFits(s, backend('docker', { browsers: true, customImages: true }))).toThrow(/signaling: kvs runs on the netns backend only so far, not on docker/);
    expect(() => checkBackendFits(s, backend('netns', { browsers: true }))).not.toThrow();
  });

  it('network events need a backend that can change the network mid-call: refused before anything is built, naming those that can', () => {
    const s = loadScenario('wifi-to-lte');
    expect(() => checkBackendFits(s, backend('third', {}))).toThrow(/events\[0\] \(handover a -> lanc\): the third backend cannot change the network during a call/);
    try {
      checkBackendFits(s, backend('third', {}));
    } catch (err) {
      expect((err as { hint?: string }).hint).toBe('run it with --backend netns or --backend docker');
    }
    expect(() => checkBackendFits(s, backend('third', { callEvents: true }))).not.toThrow();
  });

  it('impairments need a backend that can impair links; the refusal names the backend, why, and who can', () => {
    const s = loadScenario('satellite');
    expect(() => checkBackendFits(s, backend('third', { linkImpairments: { unsupported: 'no helper in its image' } }))).toThrow(/satellite.yaml: impairments: the third backend cannot impair links \(no helper in its image\)/);
    try {
      checkBackendFits(s, backend('third', {}));
    } catch (err) {
      expect((err as { hint?: string }).hint).toBe('run it with --backend netns or --backend docker, or drop the impairments');
    }
    expect(() => checkBackendFits(s, backend('third', { linkImpairments: true }))).not.toThrow();
  });

  it('docker and netns both take impairments and network events', () => {
    for (const b of BACKENDS) for (const name of ['satellite', 'wifi-to-lte', 'nat-rebinding']) expect(() => checkBackendFits(loadScenario(name), b)).not.toThrow();
  });

  it('plain werift peers fit any backend', () => {
    expect(() => checkBackendFits(loadScenario('symmetric-nat'), backend('third', {}))).not.toThrow();
  });
});
