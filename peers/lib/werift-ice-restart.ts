/**
 * An ICE restart on an existing werift 0.25.2 connection (RFC 8445 §9): new ICE credentials, the
 * same DTLS, SRTP and SCTP. Shared by the viewer (which initiates one) and the camera (which
 * answers one).
 */
import { serverReflexiveCandidate, type Candidate, type RTCPeerConnection } from 'werift';

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

/** The parts of werift 0.25.2's ICE Connection this reads: private in its types, there at run time. */
interface RestartedConnection {
  generation: number;
  localUsername: string;
  stunServer?: [string, number];
  localCandidates: Candidate[];
  protocols: { localCandidate?: Candidate }[];
  appendLocalCandidate(candidate: Candidate): void;
}

/**
 * werift's Connection.restart() keeps its sockets and, gathering again, re-advertises their host
 * and relay candidates but asks no STUN server: a restarted agent offers no server-reflexive
 * candidate, and behind two port-restricted NATs only TURN is left. Asks the STUN server again
 * from every host socket (as a browser's restart does) and advertises the answer in the new
 * generation; it goes out trickled like any candidate. Resolves when every query answered or
 * gave up (`timeoutMs`).
 */
export async function advertiseServerReflexive(pc: RTCPeerConnection, timeoutMs: number): Promise<void> {
  await Promise.all(
    pc.iceTransports.map(async (transport) => {
      const connection = transport.connection as unknown as RestartedConnection;
      const stun = connection.stunServer;
      if (!stun) return;
      const hosts = connection.protocols.filter((p) => p.localCandidate?.type === 'host' && p.localCandidate.transport === 'udp' && !p.localCandidate.host.includes(':'));
      await Promise.all(
        hosts.map(async (protocol) => {
          const candidate = await Promise.race([serverReflexiveCandidate(protocol as never, stun), new Promise<undefined>((r) => setTimeout(r, timeoutMs))]);
          if (!candidate) return;
          if (connection.localCandidates.some((c) => c.type === 'srflx' && c.host === candidate.host && c.port === candidate.port)) return;
          candidate.generation = connection.generation;
          candidate.ufrag = connection.localUsername;
          connection.appendLocalCandidate(candidate);
        }),
      );
    }),
  );
}
