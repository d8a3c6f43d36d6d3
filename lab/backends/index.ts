import { LabError } from '../model/errors.js';
import { BACKEND_NAMES, type Backend, type BackendName } from './backend.js';
import { NetnsBackend } from './netns/netns-backend.js';

export function defaultBackendName(): BackendName {
  const env = process.env.WEBRTC_LAB_BACKEND;
  if (env && !(BACKEND_NAMES as readonly string[]).includes(env)) {
    throw new LabError('usage', `WEBRTC_LAB_BACKEND="${env}" is not a backend (known: ${BACKEND_NAMES.join(', ')})`);
  }
  return (env as BackendName | undefined) ?? 'netns';
}

export async function getBackend(name: string = defaultBackendName()): Promise<Backend> {
  switch (name) {
    case 'netns':
      return new NetnsBackend();
    case 'docker': {
      const { DockerBackend } = await import('./docker/docker-backend.js');
      return new DockerBackend();
    }
    default:
      throw new LabError('usage', `unknown backend "${name}" (known: ${BACKEND_NAMES.join(', ')})`);
  }
}

export async function allBackends(): Promise<Backend[]> {
  const { DockerBackend } = await import('./docker/docker-backend.js');
  return [new NetnsBackend(), new DockerBackend()];
}
