import { formatChecks, netnsCanRun, runChecks } from '../doctor/checks.js';
import { EXIT, type Command } from './command.js';

export const doctorCommand: Command = {
  name: 'doctor',
  summary: 'Check what this machine has for the lab (privileges, tools, kernel features, Docker) and what to install.',
  usage: 'doctor [--json]',
  details: [
    'One line per check: ok, MISSING (the netns backend cannot run without it) or missing (a feature',
    'needs it), and the Debian package to install. Kernel features (netem, tbf, nf_tables NAT) are',
    'tried in a network namespace made for the check and removed after.',
    '',
    'Exit 0 when the netns backend can run here, 1 when not.',
  ].join('\n'),
  options: { json: { type: 'boolean' } },
  async run({ values }) {
    const checks = await runChecks();
    const ok = netnsCanRun(checks);
    if (values.json) console.log(JSON.stringify({ ok, checks }, null, 2));
    else console.log(`${formatChecks(checks)}\n\n${ok ? 'the netns backend can run here' : 'the netns backend cannot run here: install what is MISSING above'}`);
    return ok ? EXIT.ok : EXIT.failed;
  },
};
