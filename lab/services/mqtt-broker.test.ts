import { describe, expect, it } from 'vitest';
import { MQTT_PORT, MQTT_WS_PORT, mosquittoConfig, mqttUrls } from './mqtt-broker.js';

describe('mosquitto for signaling: mqtt', () => {
  it('listens for MQTT and MQTT over WebSocket on the one address, keeps nothing, logs to stdout', () => {
    const lines = mosquittoConfig('203.0.113.3').split('\n');
    expect(lines).toContain(`listener ${MQTT_PORT} 203.0.113.3`);
    expect(lines).toContain(`listener ${MQTT_WS_PORT} 203.0.113.3`);
    expect(lines.indexOf('protocol websockets')).toBe(lines.indexOf(`listener ${MQTT_WS_PORT} 203.0.113.3`) + 1);
    expect(lines).toContain('persistence false');
    expect(lines).toContain('allow_anonymous true');
    expect(lines).toContain('log_dest stdout');
  });

  it('is reached by name', () => {
    expect(mqttUrls('mqtt.lab.test')).toEqual({ tcp: 'mqtt://mqtt.lab.test:1883', ws: 'ws://mqtt.lab.test:9001' });
  });
});
