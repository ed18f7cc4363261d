import t from 'tap';

import { OptionError } from '../../cli/container/errors.js';
import { securityOpts } from '../../cli/container/security-opt.js';

// `--security-opt` before it is sent: values required, a seccomp profile file read and compacted, as the docker CLI does.
t.test('options pass through; a profile file becomes its compacted JSON', async (t) => {
  const files: Record<string, string> = { '/p.json': '{\n  "defaultAction": "SCMP_ACT_ALLOW",\n  "syscalls": [ { "names": ["mkdir"], "action": "SCMP_ACT_ERRNO", "comment": "a \\" b  c" } ]\n}\n' };
  const read = (f: string) => {
    if (!(f in files)) throw new Error(`open ${f}: no such file or directory`);
    return files[f]!;
  };
  t.equal(securityOpts([], read), null, 'none: null, as docker sends');
  t.same(securityOpts(['no-new-privileges', 'seccomp=unconfined', 'seccomp:builtin', 'label=disable'], read), ['no-new-privileges', 'seccomp=unconfined', 'seccomp:builtin', 'label=disable']);
  t.same(securityOpts(['seccomp=/p.json'], read), ['seccomp={"defaultAction":"SCMP_ACT_ALLOW","syscalls":[{"names":["mkdir"],"action":"SCMP_ACT_ERRNO","comment":"a \\" b  c"}]}']);
  const refusals: Array<[string, RegExp]> = [
    ['bogus', /^invalid --security-opt: "bogus"$/],
    ['seccomp=', /^invalid --security-opt: "seccomp="$/],
    ['seccomp=/missing.json', /^opening seccomp profile \(\/missing.json\) failed: open \/missing.json/],
  ];
  for (const [opt, why] of refusals) t.throws(() => securityOpts([opt], read), { constructor: OptionError, message: why }, opt);
  files['/bad.json'] = '{"defaultAction": ';
  t.throws(() => securityOpts(['seccomp=/bad.json'], read), { message: /^compacting json for seccomp profile \(\/bad.json\) failed: / });
});
