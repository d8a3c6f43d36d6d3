/**
 * pi-webrtc's MQTT topics at HEAD (TzuHuanTai/RaspberryPi-WebRTC): `<uid>/<kind>/<cid>`, kind one
 * of offer, answer, ice; the camera is `<uid>`, a viewer picks its client id `<cid>`. Both sides
 * publish on the same topics and are kept apart only by No-Local subscriptions. Pure.
 */
export const TOPIC_KINDS = ['offer', 'answer', 'ice'] as const;
export type TopicKind = (typeof TOPIC_KINDS)[number];

/** A topic level may not be empty nor hold the separator or a wildcard. */
export function badTopicLevel(level: string): string | null {
  if (!level) return 'it is empty';
  if (/[/+#\u0000]/.test(level)) return 'it holds "/", "+", "#" or NUL';
  return null;
}

export function topic(uid: string, kind: TopicKind, cid: string): string {
  for (const [what, level] of [['uid', uid], ['client id', cid]] as const) {
    const bad = badTopicLevel(level);
    if (bad) throw new Error(`MQTT ${what} "${level}" cannot be a topic level: ${bad}`);
  }
  return `${uid}/${kind}/${cid}`;
}

/** What the camera subscribes to: every client's offers, answers and candidates. */
export function cameraFilters(uid: string): string[] {
  return TOPIC_KINDS.map((kind) => `${uid}/${kind}/+`);
}

/** What one viewer subscribes to: the camera's answer and candidates for its own client id. */
export function viewerFilters(uid: string, cid: string): string[] {
  return [topic(uid, 'answer', cid), topic(uid, 'ice', cid)];
}

/** A topic of this camera's, split; null for any other. */
export function parseTopic(uid: string, name: string): { kind: TopicKind; cid: string } | null {
  const levels = name.split('/');
  if (levels.length !== 3 || levels[0] !== uid) return null;
  const [, kind, cid] = levels;
  if (!(TOPIC_KINDS as readonly string[]).includes(kind) || badTopicLevel(cid)) return null;
  return { kind: kind as TopicKind, cid };
}

export type MqttPayload =
  | { kind: 'sdp'; type: 'offer' | 'answer'; sdp: string }
  | { kind: 'candidate'; candidate: { candidate: string; sdpMid: string | null; sdpMLineIndex: number | null } };

/**
 * A payload read as the topic's kind expects it, or why it cannot be: offer/answer topics carry
 * `{"type","sdp"}`, ice topics `{"sdpMid","sdpMLineIndex","candidate"}`.
 */
export function parsePayload(kind: TopicKind, payload: string): MqttPayload | { error: string } {
  let value: unknown;
  try {
    value = JSON.parse(payload);
  } catch {
    return { error: `not JSON (${JSON.stringify(payload.slice(0, 40))}${payload.length > 40 ? '…' : ''})` };
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return { error: 'not a JSON object' };
  const v = value as Record<string, unknown>;
  if (kind === 'ice') {
    if (typeof v.candidate !== 'string') return { error: 'an ice message without a "candidate" string' };
    const mid = typeof v.sdpMid === 'string' ? v.sdpMid : null;
    const index = typeof v.sdpMLineIndex === 'number' ? v.sdpMLineIndex : null;
    if (mid === null && index === null) return { error: 'an ice message with neither "sdpMid" nor "sdpMLineIndex"' };
    return { kind: 'candidate', candidate: { candidate: v.candidate, sdpMid: mid, sdpMLineIndex: index } };
  }
  if (v.type !== kind) return { error: `a message on an ${kind} topic with "type": ${JSON.stringify(v.type)}` };
  if (typeof v.sdp !== 'string' || !v.sdp) return { error: `an ${kind} without an "sdp" string` };
  return { kind: 'sdp', type: kind, sdp: v.sdp };
}
