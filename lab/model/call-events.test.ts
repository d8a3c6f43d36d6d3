import { describe, expect, it } from 'vitest';
import { LabError } from './errors.js';
import { loadScenario, scenarioFromData } from './scenario.js';

const peers = { camera: { kind: 'pi-camera', host: 'b' }, viewer: { kind: 'viewer', host: 'a' } };
const problems = (data: object) => {
  try {
    scenarioFromData({ topology: 'wifi-to-lte', peers, holdMs: 10_000, ...data }, 'scenarios/x.yaml');
  } catch (err) {
    return (err as LabError).message;
  }
  return 'accepted';
};

describe('scenario events', () => {
  it('the presets resolve their events, with labels and times from the first frame', () => {
    expect(loadScenario('nat-rebinding').events).toEqual([{ index: 0, atMs: 3000, action: { kind: 'rebind', node: 'nata' }, label: 'rebind nata' }]);
    expect(loadScenario('wifi-to-lte').events![0].action).toEqual({ kind: 'handover', host: 'a', to: 'lanc' });
    expect(loadScenario('turn-restart').events!.map((e) => e.label)).toEqual(['stop turn', 'start turn']);
    expect(loadScenario('symmetric-nat').events).toBeUndefined();
  });

  it('names the file, the field and what was expected', () => {
    expect(problems({ events: [{ atMs: 1000, rebind: 'natz' }] })).toContain('scenarios/x.yaml: events[0].rebind: topology wifi-to-lte has no router "natz" (routers: nata, natb, natc)');
    expect(problems({ events: [{ atMs: 1000, handover: { host: 'a', to: 'lanq' } }] })).toContain('events[0].handover.to: topology wifi-to-lte has no LAN "lanq" (LANs: lana, lanb, lanc)');
    expect(problems({ events: [{ atMs: 1000, handover: { host: 'a', to: 'lana' } }] })).toContain('events[0].handover.to: host a is already on lana then');
    expect(problems({ events: [{ atMs: 1000, handover: { host: 'zz', to: 'lanc' } }] })).toContain('events[0].handover.host: topology wifi-to-lte has no host "zz"');
    expect(problems({ events: [{ atMs: 1000, linkDown: { node: 'natb', iface: 'eth9', forMs: 100 } }] })).toContain('events[0].linkDown.iface: natb has no interface "eth9" (it has: wan0, lan0)');
    expect(problems({ events: [{ atMs: 1000, block: { node: 'nata' } }] })).toContain('events[0].block: say what to block');
    expect(problems({ events: [{ atMs: 20_000, stop: 'turn' }] })).toContain('events[0].atMs: 20000 ms is not within the hold (holdMs 10000)');
    expect(problems({ events: [{ atMs: 1000, stop: 'coffee' }] })).toContain('events[0]');
    expect(problems({ holdMs: undefined, events: [{ atMs: 1000, stop: 'turn' }] })).toContain('holdMs: events need `holdMs`');
    expect(problems({ events: [{ atMs: 1000, rebind: 'nata', stop: 'turn' }] })).toContain('events[0]');
  });

  it('takes the call expectations', () => {
    const s = scenarioFromData({ topology: 'wifi-to-lte', peers, holdMs: 5000, expect: { recovery: { maxMs: 5000 }, outage: { maxMs: 3000 }, minFps: 20, afterEvents: 'relay' } }, 'scenarios/x.yaml');
    expect(s.expect).toMatchObject({ recovery: { maxMs: 5000 }, minFps: 20, afterEvents: 'relay' });
    expect(s.holdMs).toBe(5000);
    expect(problems({ expect: { afterEvents: 'sideways' } })).toContain('expect.afterEvents');
  });
});
