// What the import writes is `.fw` the rest of fwlang reads: it parses and resolves without an
// error (no `platform-unsupported` either), and its flows get the verdicts AWS gives, decided by
// the real engine over the imported ACLs and groups.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import { analyze } from '../../server/src/analysis/analyze';
import { importConfig } from '../../server/src/convert/import';
import { simulateFlow } from '../../server/src/engine/simulate';
import { buildModel } from '../../server/src/model/resolve';

const AWS = path.resolve(__dirname, '..', 'fixtures', 'aws');
const ALL = ['network-acls.json', 'security-groups.json', 'subnets.json', 'network-interfaces.json'];

function importedText(files: string[]): string {
  const r = importConfig(files.map((f) => ({ name: f, json: JSON.parse(fs.readFileSync(path.join(AWS, f), 'utf8')) as unknown })));
  if ('error' in r) throw new Error(r.error);
  return r.text;
}

function errors(text: string) {
  return analyze(buildModel('/imported.fw', text))
    .diagnostics.filter((d) => d.severity === 'error')
    .map((d) => `${d.code}: ${d.message}`);
}

/** The verdict of each flow appended to the imported text. */
function verdicts(text: string, flows: string[]): string[] {
  const m = buildModel('/imported.fw', `${text}\n${flows.map((f) => `flow ${f}`).join('\n')}\n`);
  expect(m.diagnostics.filter((d) => d.severity === 'error')).toEqual([]);
  return m.flows.map((f) => simulateFlow(m, f).verdict);
}

describe('imported .fw reads back', () => {
  it.each([
    ['AWS CLI JSON, all four', ALL],
    ['network ACLs alone (placeholder subnets)', ['network-acls.json']],
    ['security groups alone (placeholder members)', ['security-groups.json']],
    ['a Terraform state', ['terraform-state.json']],
    ['a Terraform plan', ['terraform-plan.json']],
  ])('%s: no error diagnostic', (_name, files) => {
    const text = importedText(files);
    expect(text).toMatch(/\bfirewall \S+ aws-(nacl|sg) /);
    expect(errors(text)).toEqual([]);
  });

  it('the imported ACLs and groups decide flows as AWS does', () => {
    const text = importedText(ALL);
    expect(
      verdicts(text, [
        // public ACL: in 100 (443), out 120 (1024-65535) for the response; web-sg: 443 from anywhere.
        '198.51.100.7 -> 10.0.0.10 https',
        // public ACL rule 90 denies 203.0.113.0/24 before rule 100 allows https.
        '203.0.113.9 -> 10.0.0.10 https',
        // ssh only from the office (ACL 110, bastion group).
        '198.51.100.7 -> bastion1 ssh',
        '8.8.8.8 -> bastion1 ssh',
        // Inside the public subnet no ACL is crossed: bastion's egress, web-sg's ssh from bastion's members.
        'bastion1 -> 10.0.0.11 ssh',
        // web -> db crosses both ACLs, but the public ACL has no inbound rule for the responses from 5432.
        '10.0.0.10 -> eni-0a1b2c3d4e5f60003 postgres',
        // ICMP type 8 only (rule 140) is not expressed; rule 130 allows every ICMP type inbound, but
        // nothing lets the replies out of the public subnet.
        '198.51.100.7 -> 10.0.0.10 icmp',
      ]),
    ).toEqual(['allowed', 'blocked', 'allowed', 'blocked', 'allowed', 'blocked', 'blocked']);
  });
});
