// A non-root user runs the netns backend through a user namespace: no privilege on the machine.
import { afterAll, beforeAll, describe, expect, it, onTestFinished } from 'vitest';
import { waitUntil } from './cli.js';
import { asUser as runAsUser, prepareUnprivileged } from './unprivileged-user.js';

let copy = '';
let remove = () => {};
const asUser = (args: string[]) => runAsUser(copy, args);

beforeAll(() => void ({ copy, remove } = prepareUnprivileged()));
afterAll(() => remove());

describe('as a non-root user', () => {
  it('verify-nat builds the lab in a user namespace and every router behaves as declared', async () => {
    const run = asUser(['verify-nat', 'port-restricted-cone']);
    expect(await run.done).toBe(0);
    expect(run.output()).toContain('all routers behave as declared');
  });

  it('up stays in the foreground; exec and down from other commands reach it', async () => {
    const up = asUser(['up', 'full-cone']);
    // If a check fails, stop the foreground lab like Ctrl-C would, so it does not outlive the test.
    onTestFinished(() => void (up.child.exitCode === null && up.child.kill('SIGTERM')));
    const id = await waitUntil(() => /lab ([0-9a-f]{6}) is up/.exec(up.output())?.[1], 15_000, 'the lab');
    // The lines after "is up" may come in a later pipe chunk: wait for the whole message.
    await waitUntil(() => up.output().includes('user-namespace mode: the lab lives while this command runs'), 5_000, 'the user-namespace notice');
    const list = asUser(['list']);
    await list.done;
    expect(list.output()).toContain(`${id}  netns   full-cone`);
    const exec = asUser(['exec', id, 'a', '--', 'ip', '-4', '-o', 'addr', 'show', 'dev', 'eth0']);
    expect(await exec.done).toBe(0);
    expect(exec.output()).toContain('192.168.1.2/24');
    const down = asUser(['down', id]);
    expect(await down.done).toBe(0);
    await up.done;
    expect(up.output()).toContain('tearing down');
    const after = asUser(['list']);
    await after.done;
    expect(after.output()).not.toContain(id);
  });
});
