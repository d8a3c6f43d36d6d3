// NAT knobs that RFC 5780 discovery does not cover: port allocation and mapping lifetime.
import { createInterface } from 'node:readline';
import { describe, expect, it } from 'vitest';
import type { StartedLab } from '../../lab/backends/backend.js';
import { topologyFromData } from '../../lab/model/topology-file.js';
import { projectPath } from '../../lab/util/paths.js';
import { withLabAndStun } from './helpers.js';

/** Host a behind router nata with the given NAT; host b on the internet. */
function behind(nat: object) {
  return topologyFromData(
    {
      segments: { internet: { subnet: '203.0.113.0/24' }, lana: { subnet: '192.168.1.0/24' } },
      routers: { nata: { outside: 'internet', inside: 'lana', nat } },
      hosts: { a: { segment: 'lana' }, b: { segment: 'internet' } },
    },
    'generated',
  );
}

/** Starts the UDP tool on a; resolves its STUN mapping and collects the sources it hears from. */
async function listenOnA(lab: StartedLab) {
  const proc = lab.spawn('a', ['node', projectPath('dist', 'udp-punch.mjs'), lab.topology.services.addresses[0]], { stdin: 'pipe' });
  const heard: string[] = [];
  const mapped = await new Promise<{ address: string; port: number; localPort: number }>((resolve) => {
    createInterface({ input: proc.stdout }).on('line', (line) => {
      const e = JSON.parse(line);
      if (e.event === 'mapped') resolve(e);
      if (e.event === 'received') heard.push(e.from);
    });
  });
  return { mapped, heard, stop: () => proc.stop() };
}

async function sendFromB(lab: StartedLab, to: { address: string; port: number }): Promise<void> {
  const script = `const s=require('dgram').createSocket('udp4');s.send('punch-ack',${to.port},'${to.address}',()=>s.close())`;
  await lab.exec('b', ['node', '-e', script]);
}

const settle = () => new Promise((r) => setTimeout(r, 300));

describe.concurrent('NAT knobs', () => {
  it('portAllocation preserve keeps the local port; range stays inside the range', async () => {
    await withLabAndStun(behind({ preset: 'port-restricted-cone' }), async (lab) => {
      const a = await listenOnA(lab);
      expect(a.mapped.port).toBe(a.mapped.localPort);
      await a.stop();
    });
    await withLabAndStun(behind({ preset: 'port-restricted-cone', portAllocation: 'range', portRange: [20000, 20099] }), async (lab) => {
      const a = await listenOnA(lab);
      expect(a.mapped.port).toBeGreaterThanOrEqual(20000);
      expect(a.mapped.port).toBeLessThanOrEqual(20099);
      await a.stop();
    });
  });

  it('mappingLifetime: a full-cone mapping takes strangers in while fresh, and is gone after its lifetime', async () => {
    const heardAfterIdle = async (nat: object) =>
      withLabAndStun(behind(nat), async (lab) => {
        const a = await listenOnA(lab);
        await sendFromB(lab, a.mapped);
        await settle();
        expect(a.heard).toHaveLength(1); // fresh: a stranger gets in (endpoint-independent filtering)
        await new Promise((r) => setTimeout(r, 3500));
        await sendFromB(lab, a.mapped);
        await settle();
        await a.stop();
        return a.heard.length === 2;
      });
    expect(await heardAfterIdle({ preset: 'full-cone', mappingLifetime: 2 })).toBe(false);
    expect(await heardAfterIdle({ preset: 'full-cone' })).toBe(true);
  });
});
