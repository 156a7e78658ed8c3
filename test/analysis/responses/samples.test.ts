import { SPEC_EXAMPLE } from '../../support/specExample';
import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import { check } from '../../../server/src/analysis/analyze';
import { nodeFileHost } from '../../../server/src/node/fileHost';
import { memoryHost } from '../../support/fixture';
import { RESPONSE_CODES, fixture } from './support';

describe('response analyses on whole files', () => {
  it('the spec §1 example gives none of them', () => {
    fixture(SPEC_EXAMPLE);
  });

  it.each(['catogram.fw', 'aws-vpc.fw', 'linux-host.fw'])('samples/%s gives none of them', (name) => {
    const file = path.resolve(__dirname, '../../../samples', name);
    const a = check(file, readFileSync(file, 'utf8'), nodeFileHost());
    expect(a.diagnostics.filter((d) => RESPONSE_CODES.includes(d.code)).map((d) => d.message)).toEqual([]);
  });

  it('`# fw-ignore` silences them', () => {
    fixture(`host catogram 10.0.1.10
firewall edge stateless protects 10.0.1.0/24 {
  # fw-ignore missing-response
  inbound allow tcp from any to catogram port 443
}
`);
  });

  it('firewalls of included files are reported when those files are checked, not here', () => {
    const host = memoryHost({
      '/w/acl.fw':
        'host catogram 10.0.1.10\nfirewall edge stateless protects 10.0.1.0/24 {\n  inbound allow tcp from any to catogram port 443\n}\n',
    });
    fixture('include "acl.fw"\nflow 198.51.100.1 -> catogram tcp 443\n', { path: '/w/main.fw', host });
  });
});

describe('response analyses on broken text', () => {
  it('never fail, whatever prefix of a file they get', () => {
    const text =
      SPEC_EXAMPLE + 'firewall x stateless protects 10.0.2.0/24 { 5 inbound allow udp from any port 53 to 10.0.2.0/24 port 1024-65535 }\n';
    for (let end = 0; end <= text.length; end += 3) {
      const a = check('/fixture/broken.fw', text.slice(0, end));
      const internal = a.diagnostics.filter((d) => /internal error in (checkResponses|the response)/.test(d.message));
      expect(
        internal.map((d) => d.message),
        `prefix of ${end} characters`,
      ).toEqual([]);
    }
  });
});
