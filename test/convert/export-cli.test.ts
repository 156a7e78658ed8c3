// `fwlang export` end to end, as the built command line: the template on stdout or in `-o OUT`,
// exit 1 with every offending rule on stderr and nothing written, exit 2 for usage (cli.md).
import * as fs from 'node:fs';
import * as path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ensureBuilt, removeTempFiles, runCli, tempFiles } from '../cli/support';

afterAll(removeTempFiles);

let dir: string;
beforeAll(() => {
  ensureBuilt();
  dir = tempFiles({
    'ok.fw': 'firewall acl aws-nacl protects 10.0.0.0/24 {\n  100 inbound allow tcp from any to any port 443\n}\n',
    'bad.fw':
      'firewall acl aws-nacl protects 10.0.0.0/24 {\n  100 inbound allow tcp from any port 443\n}\n' +
      'firewall sg aws-sg protects 10.0.0.5 {\n  inbound deny tcp from any\n}\n',
  });
}, 120_000);

const run = (args: string[]) => runCli(args, dir);

describe('fwlang export', () => {
  it('writes the template to stdout, exit 0', () => {
    const r = run(['export', 'ok.fw', '--to', 'cloudformation']);
    expect(r.status).toBe(0);
    const t = JSON.parse(r.stdout) as { Resources: Record<string, { Type: string }> };
    expect(Object.values(t.Resources).map((x) => x.Type)).toEqual([
      'AWS::EC2::NetworkAcl',
      'AWS::EC2::SubnetNetworkAclAssociation',
      'AWS::EC2::NetworkAclEntry',
      'AWS::EC2::NetworkAclEntry',
    ]);
  });

  it('-o OUT writes the Terraform to a file', () => {
    const r = run(['export', 'ok.fw', '--to', 'terraform', '-o', 'main.tf']);
    expect(r.status).toBe(0);
    expect(r.stdout).toBe('');
    expect(fs.readFileSync(path.join(dir, 'main.tf'), 'utf8')).toMatch(/resource "aws_network_acl_rule" "acl_in_100" \{/);
  });

  it('exit 1: every offending rule on stderr, nothing written', () => {
    const r = run(['export', 'bad.fw', '--to', 'terraform', '-o', 'bad.tf']);
    expect(r.status).toBe(1);
    expect(r.stdout).toBe('');
    expect(r.stderr.trim().split('\n')).toEqual([
      expect.stringMatching(/^bad\.fw:2:34: error platform-unsupported: `acl` is an AWS network ACL: .*source port$/),
      expect.stringMatching(/^bad\.fw:5:11: error platform-unsupported: `sg` is an AWS security group: it has allow rules only/),
    ]);
    expect(fs.existsSync(path.join(dir, 'bad.tf'))).toBe(false);
  });

  it.each([
    [['export', 'ok.fw'], /export needs --to nftables\|iptables\|cloudformation\|terraform/],
    [['export', 'ok.fw', '--to', 'pulumi'], /unknown target pulumi/],
    [['export', 'ok.fw', '--to', 'terraform', '--on-host'], /--on-host is for --to nftables or iptables/],
    [['export', 'ok.fw', '--to', 'nftables', '--firewall'], /--firewall needs a name/],
    [['export', '--to', 'terraform'], /export needs exactly one file/],
    [['export', 'ok.fw', '--to', 'terraform', '--firewall', 'nope'], /ok\.fw: no firewall nope/],
    [['export', 'missing.fw', '--to', 'terraform'], /cannot read missing\.fw/],
  ])('exit 2 for usage: %j', (args, msg) => {
    const r = run(args);
    expect(r.status).toBe(2);
    expect(r.stdout).toBe('');
    expect(r.stderr).toMatch(msg);
  });
});
