/**
 * The signaling loop both pi-camera stacks share (werift pi-camera.ts, libwebrtc-camera.ts): connect
 * to the scenario's signaling as the camera, then route each viewer's messages to the stack's own
 * answer, candidate queue and leave. Each message names its viewer in `from`; one viewer's failure
 * is an `error` event for that session, and the camera keeps serving the others.
 */
import type { CandidateQueues } from '../../lab/contract/candidate-queue.js';
import { emit, type CommonPeerConfig } from './contract.js';
import { connectSignaling } from './peer-signaling.js';
import type { Signaling } from './signaling-client.js';

/** What a camera stack does per viewer; candidates go to its per-viewer queue (they may precede the offer). */
export interface CameraHandlers<C> {
  answer(signaling: Signaling, viewer: string, sdp: string): Promise<void>;
  early: CandidateQueues<C>;
  leave(viewer: string): void | Promise<void>;
}

type ErrorReport = (fields: { session: string; message: string }) => void;

/** Routes the signaling's offers, candidates and byes to the handlers, one viewer per sender. */
export function serveViewers<C>(signaling: Signaling, handlers: CameraHandlers<C>, reportError: ErrorReport = (f) => emit('error', f)): void {
  signaling.onMessage(async (msg) => {
    const viewer = msg.from;
    if (!viewer) return;
    try {
      if (msg.type === 'offer') await handlers.answer(signaling, viewer, msg.sdp as string);
      else if (msg.type === 'candidate') await handlers.early.of(viewer).add(msg.candidate as C);
      else if (msg.type === 'bye') await handlers.leave(viewer);
    } catch (err) {
      reportError({ session: viewer, message: (err as Error).message });
    }
  });
}

/** The camera's main loop on LAB_SIGNALING (lab, mqtt or kvs): connected, announced, serving viewers. */
export async function runCamera<C>(cfg: CommonPeerConfig, handlers: CameraHandlers<C>): Promise<Signaling> {
  const signaling = await connectSignaling(cfg, { role: 'camera' });
  emit('signaling-connected');
  serveViewers(signaling, handlers);
  return signaling;
}
