/**
 * Non-root use: the lab re-runs itself inside a new user namespace (with its own network and mount
 * namespaces) where it is root, so it can build namespaces without any privilege on the machine.
 */
export const USERNS_ENV = 'WEBRTC_LAB_IN_USERNS';

export function inUserNamespace(): boolean {
  return process.env[USERNS_ENV] === '1';
}
