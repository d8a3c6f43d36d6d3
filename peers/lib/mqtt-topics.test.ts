import { describe, expect, it } from 'vitest';
import { badTopicLevel, cameraFilters, parsePayload, parseTopic, topic, viewerFilters } from './mqtt-topics.js';

describe('pi-webrtc MQTT topics', () => {
  it('builds <uid>/<kind>/<cid> and the filters each side subscribes to', () => {
    expect(topic('cam1', 'offer', 'v-7')).toBe('cam1/offer/v-7');
    expect(cameraFilters('cam1')).toEqual(['cam1/offer/+', 'cam1/answer/+', 'cam1/ice/+']);
    expect(viewerFilters('cam1', 'v-7')).toEqual(['cam1/answer/v-7', 'cam1/ice/v-7']);
  });

  it('refuses ids that would change the topic: separators, wildcards, empty', () => {
    expect(() => topic('cam/1', 'ice', 'v')).toThrow(/uid "cam\/1" cannot be a topic level/);
    expect(() => topic('cam', 'ice', '+')).toThrow(/client id "\+"/);
    expect(() => topic('cam', 'ice', '')).toThrow(/it is empty/);
    expect(badTopicLevel('a#')).toMatch(/"#"/);
    expect(badTopicLevel('viewer-2')).toBeNull();
  });

  it('parses only this camera\'s three-level topics of a known kind', () => {
    expect(parseTopic('cam1', 'cam1/ice/v-7')).toEqual({ kind: 'ice', cid: 'v-7' });
    expect(parseTopic('cam1', 'cam1/answer/x')).toEqual({ kind: 'answer', cid: 'x' });
    expect(parseTopic('cam1', 'cam2/ice/v-7')).toBeNull();
    expect(parseTopic('cam1', 'cam1/sdp/v-7/offer')).toBeNull(); // the older scheme
    expect(parseTopic('cam1', 'cam1/status/v-7')).toBeNull();
    expect(parseTopic('cam1', 'cam1/ice/')).toBeNull();
  });

  it('reads SDP and candidate payloads as pi-webrtc writes them', () => {
    expect(parsePayload('offer', JSON.stringify({ type: 'offer', sdp: 'v=0\r\n' }))).toEqual({ kind: 'sdp', type: 'offer', sdp: 'v=0\r\n' });
    expect(parsePayload('ice', JSON.stringify({ sdpMid: '0', sdpMLineIndex: 0, candidate: 'candidate:1 1 udp 1 10.0.0.1 5000 typ host' }))).toEqual({
      kind: 'candidate',
      candidate: { sdpMid: '0', sdpMLineIndex: 0, candidate: 'candidate:1 1 udp 1 10.0.0.1 5000 typ host' },
    });
    expect(parsePayload('ice', JSON.stringify({ sdpMLineIndex: 1, candidate: 'candidate:x' }))).toMatchObject({ candidate: { sdpMid: null, sdpMLineIndex: 1 } });
  });

  it('says why a payload is unusable instead of throwing', () => {
    expect(parsePayload('offer', 'not json')).toEqual({ error: 'not JSON ("not json")' });
    expect(parsePayload('offer', 'x'.repeat(100))).toMatchObject({ error: expect.stringMatching(/…\)$/) });
    expect(parsePayload('ice', '[1]')).toEqual({ error: 'not a JSON object' });
    expect(parsePayload('ice', 'null')).toEqual({ error: 'not a JSON object' });
    expect(parsePayload('ice', '{"sdpMid":"0"}')).toEqual({ error: 'an ice message without a "candidate" string' });
    expect(parsePayload('ice', '{"candidate":"candidate:x"}')).toMatchObject({ error: expect.stringMatching(/neither "sdpMid" nor "sdpMLineIndex"/) });
    expect(parsePayload('answer', '{"type":"offer","sdp":"v=0"}')).toEqual({ error: 'a message on an answer topic with "type": "offer"' });
    expect(parsePayload('offer', '{"type":"offer"}')).toEqual({ error: 'an offer without an "sdp" string' });
  });
});
