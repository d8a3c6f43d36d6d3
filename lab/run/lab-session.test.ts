import { existsSync, mkdirSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import type { Backend, StartedLab, UpOptions } from '../backends/backend.js';
import { abandonedLabs } from '../backends/reap.js';
import { writeLabState } from '../backends/state.js';
import type { Topology } from '../model/topology.js';
import { LabSession } from './lab-session.js';

beforeAll(() => {
  vi.stubEnv('WEBRTC_LAB_STATE_DIR', mkdtempSync(join(tmpdir(), 'lab-session-test-')));
  vi.stubEnv('WEBRTC_LAB_REAPER', 'off'); // no process here: reaper.test.ts covers it
});
afterAll(() => vi.unstubAllEnvs());

const topology = { name: 't' } as Topology;

/** A backend whose bring-up finishes when the test says so; it writes lab state like a real one. */
function fakeBackend() {
  const downs: string[] = [];
  let finish: () => void = () => {};
  const backend = {
    name: 'netns',
    up: (_t: Topology, opts: UpOptions = {}) =>
      new Promise<StartedLab>((resolve) => {
        const id = opts.labId!;
        mkdirSync(join(process.env.WEBRTC_LAB_STATE_DIR!, id), { recursive: true });
        writeLabState({ id, backend: 'netns', topology, createdAt: '', ownerPid: process.pid, userNamespace: false });
        finish = () => resolve({ id, down: async () => void downs.push(id) } as unknown as StartedLab);
      }),
  } as unknown as Backend;
  return { backend, downs, finishUp: () => finish() };
}

describe('LabSession', () => {
  it('close() runs every step newest first, even past failures, and reports the failures', async () => {
    const { backend, downs, finishUp } = fakeBackend();
    const session = LabSession.open(backend);
    const order: string[] = [];
    const up = session.up(topology);
    finishUp();
    await up;
    session.defer('stop services', () => void order.push('services'));
    session.defer('stop peers', () => {
      order.push('peers');
      throw new Error('peer 4242 did not stop');
    });
    const scratch = session.scratch;
    expect(existsSync(scratch)).toBe(true);
    const record = await session.close();
    expect(order).toEqual(['peers', 'services']);
    expect(downs).toEqual([session.labId]);
    expect(record).toMatchObject({ ok: false, failures: [{ step: 'stop peers', message: 'peer 4242 did not stop' }] });
    expect(existsSync(scratch)).toBe(false);
    expect(await session.close()).toBe(record);
  });

  it('an abort during bring-up rejects at once; close() takes the lab down once it is built', async () => {
    const { backend, downs, finishUp } = fakeBackend();
    const controller = new AbortController();
    const session = LabSession.open(backend, { signal: controller.signal, what: 'the test run' });
    const up = session.up(topology);
    controller.abort(new Error('SIGINT'));
    const err = await up.catch((e: Error & { code?: string }) => e);
    expect(err).toMatchObject({ name: 'AbortError', code: 'aborted' });
    expect((err as Error).message).toBe('the test run was aborted (SIGINT); everything it built was taken down');
    const closed = session.close();
    finishUp();
    expect((await closed).ok).toBe(true);
    expect(downs).toEqual([session.labId]);
  });

  it('refuses to start with a signal already aborted, building nothing', () => {
    const { backend } = fakeBackend();
    expect(() => LabSession.open(backend, { signal: AbortSignal.abort(new Error('late')) })).toThrow(/aborted \(late\)/);
  });

  it('handOver() keeps the lab after its owner (not abandoned), removes only the scratch folder', async () => {
    const { backend, downs, finishUp } = fakeBackend();
    const session = LabSession.open(backend);
    const up = session.up(topology);
    finishUp();
    await up;
    await session.handOver();
    expect(downs).toEqual([]);
    expect(existsSync(session.scratch)).toBe(false);
    expect((await session.close()).ok).toBe(true);
    expect(downs).toEqual([]);
    // Even once its owner is gone, a handed-over lab is not the reaper's.
    writeLabState({ id: session.labId, backend: 'netns', topology, createdAt: '', ownerPid: 2 ** 22 + 1, userNamespace: false });
    expect(abandonedLabs('netns')).not.toContain(session.labId);
  });

  it('a lab whose owner is gone and was not handed over is abandoned', () => {
    mkdirSync(join(process.env.WEBRTC_LAB_STATE_DIR!, 'dead01'), { recursive: true });
    writeLabState({ id: 'dead01', backend: 'netns', topology, createdAt: '', ownerPid: 2 ** 22 + 1, userNamespace: false });
    expect(abandonedLabs('netns')).toContain('dead01');
    expect(abandonedLabs('docker')).not.toContain('dead01');
  });
});
