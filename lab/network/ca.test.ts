import { X509Certificate, createPrivateKey } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { caCommands, caEnv, chromiumTrustFlags, makeLabCa, serviceTlsEnv, spkiHash, subjectAltName } from './ca.js';
import { runCommand } from '../util/run-command.js';

const spec = { names: ['turn.lab.test', 'Signal.Example.com', 'signal.example.com', 'kinesisvideo.us-west-2.amazonaws.com'], addresses: ['203.0.113.2', '203.0.113.3', '203.0.113.2'], labId: 'ab12' };

describe('lab CA configuration', () => {
  it('one certificate for every name (lower case, once) and every address', () => {
    expect(subjectAltName(spec)).toBe('DNS:turn.lab.test,DNS:signal.example.com,DNS:kinesisvideo.us-west-2.amazonaws.com,IP:203.0.113.2,IP:203.0.113.3');
    expect(() => subjectAltName({ names: [], addresses: ['::1'] })).toThrow(/not an IPv4 address/);
    expect(() => subjectAltName({ names: [], addresses: [] })).toThrow(/at least one/);
  });

  it('a CA that may only sign, and a server certificate it signs for serverAuth only', () => {
    const { ca, server, files } = caCommands('/d', spec);
    expect(ca.join(' ')).toContain('-addext basicConstraints=critical,CA:TRUE,pathlen:0 -addext keyUsage=critical,keyCertSign,cRLSign');
    expect(ca.join(' ')).toContain('CN=webrtc-lab CA ab12');
    expect(server.join(' ')).toContain(`-CA ${files.caFile} -CAkey /d/lab-ca-key.pem -key ${files.keyFile}`);
    expect(server.join(' ')).toContain('basicConstraints=critical,CA:FALSE');
    expect(server.join(' ')).toContain('extendedKeyUsage=serverAuth');
    expect(server).not.toContain('-keyout'); // the server key is made in-process, never overwritten
  });

  it('every standard knob points at the CA file; services get their certificate and key too', () => {
    const ca = { caFile: '/d/ca.pem', certFile: '/d/cert.pem', keyFile: '/d/key.pem', spki: 'abc=' };
    expect(caEnv(ca)).toEqual({ LAB_CA_FILE: '/d/ca.pem', NODE_EXTRA_CA_CERTS: '/d/ca.pem', SSL_CERT_FILE: '/d/ca.pem', CURL_CA_BUNDLE: '/d/ca.pem', REQUESTS_CA_BUNDLE: '/d/ca.pem', LAB_TLS_SPKI: 'abc=' });
    expect(serviceTlsEnv(ca)).toMatchObject({ LAB_TLS_CERT: '/d/cert.pem', LAB_TLS_KEY: '/d/key.pem', LAB_CA_FILE: '/d/ca.pem' });
    expect(chromiumTrustFlags('abc=')).toEqual(['--ignore-certificate-errors-spki-list=abc=']);
    expect(chromiumTrustFlags('abc=').join(' ')).not.toMatch(/--ignore-certificate-errors( |$)/);
  });

  describe('made with openssl', () => {
    const dir = mkdtempSync(join(tmpdir(), 'lab-ca-'));
    afterAll(() => rmSync(dir, { recursive: true, force: true }));

    it('issues a certificate the CA verifies, for exactly the names and addresses asked', async () => {
      const ca = await makeLabCa(dir, spec);
      const caCert = new X509Certificate(readFileSync(ca.caFile));
      const cert = new X509Certificate(readFileSync(ca.certFile));
      expect(caCert.ca).toBe(true);
      expect(cert.ca).toBe(false);
      expect(cert.checkIssued(caCert)).toBe(true);
      expect(cert.verify(caCert.publicKey)).toBe(true);
      expect(cert.checkHost('kinesisvideo.us-west-2.amazonaws.com')).toBe('kinesisvideo.us-west-2.amazonaws.com');
      expect(cert.checkHost('signal.example.com')).toBe('signal.example.com');
      expect(cert.checkHost('www.example.com')).toBeUndefined();
      expect(cert.checkIP('203.0.113.3')).toBe('203.0.113.3');
      expect(cert.checkPrivateKey(createPrivateKey(readFileSync(ca.keyFile)))).toBe(true);
      expect(new Date(cert.validTo).getTime() - Date.now()).toBeLessThan(3 * 86_400_000);
      // The hash Chromium is given is the served key's: the same as openssl computes.
      const der = await runCommand(['sh', '-c', `openssl x509 -in ${ca.certFile} -noout -pubkey | openssl pkey -pubin -outform der | openssl dgst -sha256 -binary | base64`]);
      expect(ca.spki).toBe(der.stdout.trim());
      expect(spkiHash(readFileSync(ca.keyFile, 'utf8'))).toBe(ca.spki);
      const verify = await runCommand(['openssl', 'verify', '-CAfile', ca.caFile, '-purpose', 'sslserver', ca.certFile]);
      expect(verify.stdout.trim()).toBe(`${ca.certFile}: OK`);
    });
  });
});
