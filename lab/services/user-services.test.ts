import { chmodSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { afterAll, describe, expect, it } from 'vitest';
import { topologyFromData } from '../model/topology-file.js';
import type { ServiceSpec } from '../model/scenario.js';
import { LAB_RESERVED_PORTS } from '../model/scenario.js';
import { DNS_PORT } from '../network/dns-process.js';
import { STUN_PORT, TLS_PORT } from './coturn.js';
import { SERVICES_PORT, TLS_ALT_PORT } from './lab-services.js';
import { KEPT_LINES, TailLog, checkServiceCommands, describeReady, listening, serviceAddresses } from './user-services.js';

const topology = topologyFromData(
  {
    name: 't',
    segments: { internet: { subnet: '203.0.113.0/24' }, lana: { subnet: '192.168.1.0/24' } },
    routers: { nata: { outside: 'internet', inside: 'lana', nat: 'full-cone' } },
    hosts: { a: { segment: 'lana' }, pub: { segment: 'internet', address: '203.0.113.254' } },
  },
  'generated',
);

const spec = (over: Partial<ServiceSpec>): ServiceSpec => ({ name: 's', command: ['node'], cwd: '/', host: 'srv', port: 8080, ready: { kind: 'port' }, env: {}, readyTimeoutMs: 1000, ...over });

describe('user services', () => {
  it('services on srv get internet addresses of their own from the top down, skipping taken ones; elsewhere their host\'s', () => {
    expect(serviceAddresses(topology, [{ name: 'x', host: 'srv' }, { name: 'y', host: 'srv' }, { name: 'z', host: 'a' }, { name: 'w', host: 'pub' }])).toEqual({
      x: '203.0.113.253',
      y: '203.0.113.252',
      z: '192.168.1.2',
      w: '203.0.113.254',
    });
    expect(serviceAddresses(topology, [])).toEqual({});
  });

  describe('commands checked before anything is built', () => {
    const dir = mkdtempSync(join(tmpdir(), 'lab-svc-'));
    afterAll(() => rmSync(dir, { recursive: true, force: true }));
    writeFileSync(join(dir, 'run.sh'), '#!/bin/sh\n');
    chmodSync(join(dir, 'run.sh'), 0o755);
    writeFileSync(join(dir, 'data.txt'), '');
    const check = (command: string[], env: Record<string, string> = {}) => () => checkServiceCommands({ source: join(dir, 's.yaml'), services: [spec({ name: 'app', command, cwd: dir, env })] }, '/usr/bin:/bin');

    it('programs on PATH and executable files relative to the scenario pass', () => {
      expect(check(['sh', '-c', 'true'])).not.toThrow();
      expect(check(['./run.sh'])).not.toThrow();
      expect(check([join(dir, 'run.sh')])).not.toThrow();
      expect(check(['run.sh'], { PATH: dir })).not.toThrow();
    });

    it('a missing program names the field', () => {
      expect(check(['no-such-program-xyz'])).toThrow(/s\.yaml: services\.app\.command\[0\]: program "no-such-program-xyz" is not found on PATH/);
      expect(check(['./nope.sh'])).toThrow(new RegExp(`services\\.app\\.command\\[0\\]: "./nope.sh" is not an executable file \\(looked at ${join(dir, 'nope.sh')}\\)`));
      expect(check(['./data.txt'])).toThrow(/is not an executable file/);
      expect(check(['.'])).toThrow(/not found on PATH/);
    });
  });

  it('a TCP port is ready when its namespace lists a LISTEN socket on any address or the service\'s own', () => {
    const header = '  sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode\n';
    const tcp = header + '   0: 00000000:1F90 00000000:0000 0A 00000000:00000000 00:00000000 00000000     0        0 1 1 0000000000000000 100 0 0 10 0\n' + '   1: FE7100CB:01BB 00000000:0000 0A 00000000:00000000 00:00000000 00000000     0        0 2 1\n' + '   2: 0100007F:0050 00000000:0000 0A 00000000:00000000 00:00000000 00000000     0        0 3 1\n' + '   3: 00000000:0051 0100007F:9C40 01 00000000:00000000 00:00000000 00000000     0        0 4 1\n';
    const tcp6 = header + '   0: 00000000000000000000000000000000:1BB8 00000000000000000000000000000000:0000 0A 00000000:00000000 00:00000000 00000000     0        0 5 1\n';
    const read = (f: string) => (f.endsWith('tcp6') ? tcp6 : tcp);
    expect(listening(1, 8080, '203.0.113.254', read)).toBe(true); // 0.0.0.0:8080
    expect(listening(1, 443, '203.0.113.254', read)).toBe(true); // its own address
    expect(listening(1, 443, '203.0.113.253', read)).toBe(false); // another service's
    expect(listening(1, 80, '203.0.113.254', read)).toBe(false); // loopback only: nobody reaches it
    expect(listening(1, 81, '203.0.113.254', read)).toBe(false); // established, not listening
    expect(listening(1, 7096, '203.0.113.254', read)).toBe(true); // [::]:7096, dual-stack
    expect(listening(1, 8080, '203.0.113.254', () => { throw new Error('ENOENT'); })).toBe(false);
  });

  it('keeps the last lines only, and wakes a waiter on a matching line', async () => {
    const log = new TailLog();
    log.follow(Readable.from([`${Array.from({ length: KEPT_LINES + 50 }, (_, i) => `line ${i}`).join('\n')}\nready now`]));
    await log.waitFor(/^ready/);
    expect(log.lines).toHaveLength(KEPT_LINES);
    expect(log.lines.at(-1)).toBe('ready now');
    expect(log.lines[0]).toBe('line 51');
    expect(log.tail(2)).toBe(`    line ${KEPT_LINES + 49}\n    ready now`);
    expect(new TailLog().tail()).toBe('    (no output)');
  });

  it('the ports kept from services are the ones the lab listens on at srv (443 is not: its redirect matches .2/.3 only)', () => {
    expect(Object.keys(LAB_RESERVED_PORTS).map(Number).sort((x, y) => x - y)).toEqual([DNS_PORT, STUN_PORT, TLS_PORT, SERVICES_PORT].sort((x, y) => x - y));
    expect(Object.keys(LAB_RESERVED_PORTS)).not.toContain(String(TLS_ALT_PORT));
  });

  it('says what it waits for', () => {
    expect(describeReady({ spec: spec({}), address: '203.0.113.254' })).toBe('TCP port 8080 on 203.0.113.254 to accept connections');
    expect(describeReady({ spec: spec({ ready: { kind: 'http', url: '/health' } }), address: '203.0.113.254' })).toBe('GET http://203.0.113.254:8080/health to answer 2xx/3xx');
    expect(describeReady({ spec: spec({ ready: { kind: 'http', url: 'https://sig.lab.test/health' } }), address: 'x' })).toBe('GET https://sig.lab.test/health to answer 2xx/3xx');
    expect(describeReady({ spec: spec({ ready: { kind: 'log', pattern: 'listening on \\d+' } }), address: 'x' })).toBe('a line matching /listening on \\d+/');
  });
});
