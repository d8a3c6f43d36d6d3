/** Reaching the Docker daemon, and saying clearly why it cannot be reached. */
import type Dockerode from 'dockerode';
import { LabError } from '../../model/errors.js';
import type { ImageSource } from './image.js';
import { dynamicImport } from '../../util/dynamic-import.js';

export function imageSource(): ImageSource {
  const v = process.env.WEBRTC_LAB_DOCKER_IMAGE_SOURCE ?? 'offline';
  if (v !== 'offline' && v !== 'registry') throw new LabError('usage', `WEBRTC_LAB_DOCKER_IMAGE_SOURCE="${v}" must be offline or registry`);
  return v;
}

export async function connect(): Promise<Dockerode> {
  const { default: Docker } = await dynamicImport<{ default: typeof import('dockerode') }>('dockerode');
  return new Docker();
}

/** Pings the daemon; throws a LabError that says where it looked and what to do. */
export async function checkDaemon(docker: Dockerode): Promise<void> {
  const where = process.env.DOCKER_HOST ?? 'unix:///var/run/docker.sock';
  try {
    await docker.ping();
  } catch (err) {
    const e = err as NodeJS.ErrnoException;
    const why = e.code === 'ENOENT' ? 'no daemon socket there' : e.code === 'EACCES' ? 'permission denied on the socket' : e.code === 'ECONNREFUSED' ? 'nothing listens there' : e.message;
    throw new LabError(
      'backend',
      `--backend docker needs a running Docker daemon, and none answers at ${where} (${why})`,
      e.code === 'EACCES'
        ? 'run as root or add your user to the docker group'
        : 'install docker.io and start the daemon (systemctl start docker, or `dockerd &` as root), or set DOCKER_HOST; the default netns backend needs no Docker',
    );
  }
}

export function envList(env: Record<string, string | undefined> | undefined): string[] {
  return Object.entries(env ?? {}).map(([k, v]) => `${k}=${v}`);
}
