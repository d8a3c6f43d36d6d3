import { Resolver } from 'node:dns/promises';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TYPE_A, TYPE_AAAA, decodeQuery, encodeQuery } from './dns-packet.js';
import { answerFor, startDnsServer } from './dns-server.js';
import type { Socket } from 'node:dgram';

const records = { 'signal.example.com': '203.0.113.254', 'turn.lab.test': '203.0.113.2' };

describe('the lab resolver', () => {
  it('answers A for mapped names, NODATA for other types of them, NXDOMAIN for the rest', () => {
    const ask = (name: string, type = TYPE_A) => answerFor(decodeQuery(encodeQuery(1, name, type))!, records);
    expect(ask('signal.example.com')).toEqual({ rcode: 'NOERROR', addresses: ['203.0.113.254'], ttl: 60 });
    expect(ask('SIGNAL.example.com').addresses).toEqual(['203.0.113.254']);
    expect(ask('signal.example.com', TYPE_AAAA)).toEqual({ rcode: 'NOERROR', addresses: [], ttl: 60 });
    expect(ask('www.example.com').rcode).toBe('NXDOMAIN');
    expect(ask('example.com').rcode).toBe('NXDOMAIN');
  });

  describe('on loopback, asked by Node\'s own resolver (c-ares)', () => {
    let socket: Socket;
    const resolver = new Resolver({ timeout: 2000, tries: 1 });
    beforeAll(async () => {
      socket = await startDnsServer({ address: '127.0.0.1', port: 0, records });
      resolver.setServers([`127.0.0.1:${(socket.address() as AddressInfo).port}`]);
    });
    afterAll(() => socket.close());

    it('resolves mapped names and fails unmapped ones at once', async () => {
      expect(await resolver.resolve4('signal.example.com')).toEqual(['203.0.113.254']);
      expect(await resolver.resolve4('turn.lab.test', { ttl: true })).toEqual([{ address: '203.0.113.2', ttl: 60 }]);
      const t0 = performance.now();
      await expect(resolver.resolve4('kinesisvideo.us-west-2.amazonaws.com')).rejects.toMatchObject({ code: 'ENOTFOUND' });
      await expect(resolver.resolve6('signal.example.com')).rejects.toMatchObject({ code: 'ENODATA' });
      expect(performance.now() - t0).toBeLessThan(500);
    });
  });
});
