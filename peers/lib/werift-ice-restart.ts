/**
 * An ICE restart on an existing werift 0.25.2 connection (RFC 8445 §9): new ICE credentials, the
 * same DTLS, SRTP and SCTP. Shared by the viewer (which initiates one) and the camera (which
 * answers one).
 */
import type { RTCPeerConnection } from 'werift';

/**
 * werift 0.25.2 starts ICE from setLocalDescription/setRemoteDescription only for a transport
 * whose DTLS is not connected (peerConnection.js connect() returns early), so after a restart no
 * connectivity check would ever run and the call stays down: start the checks of every restarted
 * transport. (A restarted transport reads "new", or "completed": the spurious state at the end of
 * gathering.)
 */
export function startRestartedChecks(pc: RTCPeerConnection, onError: (err: Error) => void): void {
  for (const ice of pc.iceTransports) {
    if (ice.state !== 'checking' && ice.state !== 'connected') ice.start().catch(onError);
  }
}

/** The session id and version of an SDP's o= line (RFC 4566 §5.2). */
export function sdpOrigin(sdp: string): { sessionId: string; version: number } | null {
  const m = /^o=\S+ (\S+) (\d+) /m.exec(sdp);
  return m ? { sessionId: m[1], version: Number(m[2]) } : null;
}

/**
 * A re-offer keeps the session id of the connection's first offer and counts its version up
 * (RFC 3264 §8): that is how the far end tells a renegotiation from a new connection. werift draws
 * a new random session id for every offer it creates, so the restart offer gets the first one back.
 */
export function asReoffer(sdp: string, first: { sessionId: string }, version: number): string {
  return sdp.replace(/^o=(\S+) \S+ \d+ /m, (_, user: string) => `o=${user} ${first.sessionId} ${version} `);
}

/** Resolves when the connection's ICE gathering is complete (at once if it is). */
export function gatheringComplete(pc: RTCPeerConnection): Promise<void> {
  if (pc.iceGatheringState === 'complete') return Promise.resolve();
  return new Promise((resolve) => {
    const sub = pc.iceGatheringStateChange.subscribe((state) => {
      if (state !== 'complete') return;
      sub.unSubscribe();
      resolve();
    });
  });
}
