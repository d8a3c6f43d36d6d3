import { describe, expect, it } from 'vitest';
import { CandidateQueues } from '../../lab/contract/candidate-queue.js';
import { serveViewers, type CameraHandlers } from './camera-main.js';
import type { Incoming, Signaling } from './signaling-client.js';

/** A signaling whose incoming messages the test delivers, awaiting the camera's handler. */
function fakeSignaling(): Signaling & { deliver(msg: Incoming): Promise<void> } {
  let handler: ((msg: Incoming) => unknown) | null = null;
  return {
    send: () => {},
    close: () => {},
    onMessage: (h) => {
      handler = h;
    },
    deliver: async (msg) => {
      await handler?.(msg);
    },
  };
}

function camera() {
  const calls: string[] = [];
  const errors: { session: string; message: string }[] = [];
  const handlers: CameraHandlers<string> = {
    early: new CandidateQueues<string>(),
    answer: async (_s, viewer, sdp) => {
      calls.push(`answer ${viewer} ${sdp}`);
      if (sdp === 'broken') throw new Error('setRemoteDescription failed');
      await handlers.early.forNewSession(viewer).open((c) => calls.push(`candidate ${viewer} ${c}`));
    },
    leave: (viewer) => {
      calls.push(`leave ${viewer}`);
    },
  };
  const signaling = fakeSignaling();
  serveViewers(signaling, handlers, (e) => errors.push(e));
  return { calls, errors, signaling };
}

describe('serveViewers', () => {
  it('routes each viewer\'s offer, candidates and bye to that viewer, candidates before the offer included', async () => {
    const { calls, errors, signaling } = camera();
    await signaling.deliver({ type: 'candidate', from: 'v1', candidate: 'c0' });
    await signaling.deliver({ type: 'offer', from: 'v1', sdp: 'o1' });
    await signaling.deliver({ type: 'candidate', from: 'v1', candidate: 'c1' });
    await signaling.deliver({ type: 'offer', from: 'v2', sdp: 'o2' });
    await signaling.deliver({ type: 'bye', from: 'v1' });
    expect(calls).toEqual(['answer v1 o1', 'candidate v1 c0', 'candidate v1 c1', 'answer v2 o2', 'leave v1']);
    expect(errors).toEqual([]);
  });

  it('ignores messages that name no viewer and types it does not serve', async () => {
    const { calls, signaling } = camera();
    await signaling.deliver({ type: 'offer', sdp: 'anonymous' });
    await signaling.deliver({ type: 'end-of-candidates', from: 'v1' });
    expect(calls).toEqual([]);
  });

  it('reports a failing viewer as that session\'s error and keeps serving the others', async () => {
    const { calls, errors, signaling } = camera();
    await signaling.deliver({ type: 'offer', from: 'v1', sdp: 'broken' });
    await signaling.deliver({ type: 'offer', from: 'v2', sdp: 'o2' });
    expect(errors).toEqual([{ session: 'v1', message: 'setRemoteDescription failed' }]);
    expect(calls).toEqual(['answer v1 broken', 'answer v2 o2']);
  });
});
