/**
 * Whether the camera's and each viewer's WebRTC stacks share a video codec, asked before anything is
 * built: the werift camera sends pre-encoded H.264, the libwebrtc camera a VP8 test pattern; the
 * werift viewer reassembles H.264 only, the libwebrtc build and offline Firefox have no H.264.
 */
import { LabError } from '../model/errors.js';
import { DEFAULT_CAMERA_STACK, type PeerKind, type PeerSpec, type Scenario } from '../model/scenario.js';

type Codec = 'H264' | 'VP8';

/** What a shipped viewer can decode; absent: the lab does not know (the user's own peers). */
const VIEWER_DECODES: Partial<Record<PeerKind, Codec[]>> = {
  viewer: ['H264'],
  'libwebrtc-viewer': ['VP8'],
  'chromium-viewer': ['H264', 'VP8'],
  'firefox-viewer': ['VP8'],
};

/** The codec a shipped camera sends; null for the user's own cameras. */
export function cameraCodec(camera: PeerSpec): Codec | null {
  if (camera.kind !== 'pi-camera') return null;
  return (camera.stack ?? DEFAULT_CAMERA_STACK) === 'libwebrtc' ? 'VP8' : 'H264';
}

export function checkStacksFit(scenario: Scenario): void {
  const codec = cameraCodec(scenario.camera);
  if (!codec) return;
  for (const v of scenario.viewers) {
    const decodes = VIEWER_DECODES[v.kind];
    if (!decodes || decodes.includes(codec)) continue;
    const other = codec === 'VP8' ? 'werift' : 'libwebrtc';
    throw new LabError(
      'usage',
      `${scenario.source}: peers.${v.name} (${v.kind}) decodes only ${decodes.join('/')}, and the ${scenario.camera.stack ?? DEFAULT_CAMERA_STACK} pi-camera sends ${codec}`,
      `give the camera \`stack: ${other}\`, or use a viewer that decodes ${codec} (${Object.entries(VIEWER_DECODES).filter(([, c]) => c!.includes(codec)).map(([k]) => k).join(', ')})`,
    );
  }
}
