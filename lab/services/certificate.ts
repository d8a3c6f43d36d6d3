/** A self-signed certificate for TURN over TLS, made fresh for each run with openssl. */
import { join } from 'node:path';
import { runCommand } from '../util/run-command.js';

export interface Certificate {
  certFile: string;
  keyFile: string;
}

export async function makeCertificate(dir: string, addresses: string[]): Promise<Certificate> {
  const certFile = join(dir, 'turn-cert.pem');
  const keyFile = join(dir, 'turn-key.pem');
  await runCommand(
    ['openssl', 'req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-days', '2',
      '-subj', '/CN=turn.lab.invalid', '-addext', `subjectAltName=${addresses.map((a) => `IP:${a}`).join(',')}`,
      '-keyout', keyFile, '-out', certFile],
    { purpose: 'make the TURN TLS certificate' },
  );
  return { certFile, keyFile };
}
