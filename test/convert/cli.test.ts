// `fwlang import` end to end, as the built command line (`node bin/fwlang.js`): files and `-`
// (standard input) in, `.fw` on stdout or in `-o OUT`, what could not be expressed on stderr,
// exit 0/1/2 (cli.md); and `fwlang check -` reading what a pipe gives it.
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ensureBuilt, expectUsage, removeTempFiles, ROOT, runCli, tempFiles } from '../cli/support';

const AWS = path.join(ROOT, 'test', 'fixtures', 'aws');
const fixture = (f: string) => path.join(AWS, f);
afterAll(removeTempFiles);

let dir: string;
beforeAll(() => {
  ensureBuilt();
  dir = tempFiles({
    'web-only.json': JSON.stringify({
      SecurityGroups: [
        {
          GroupId: 'sg-1',
          GroupName: 'web',
          IpPermissions: [{ IpProtocol: 'tcp', FromPort: 443, ToPort: 443, IpRanges: [{ CidrIp: '0.0.0.0/0' }] }],
          IpPermissionsEgress: [],
        },
      ],
      NetworkInterfaces: [{ NetworkInterfaceId: 'eni-1', Groups: [{ GroupId: 'sg-1' }], PrivateIpAddress: '10.0.0.10' }],
    }),
    'not-json.json': '{ "NetworkAcls": [',
    'other.json': '{ "Reservations": [] }',
    'ok.fw':
      'host web 10.0.1.10\nfirewall sg stateful protects web {\n  inbound allow tcp to web port https\n}\nflow 198.51.100.1 -> web https expect allow\n',
  });
}, 120_000);

/** Runs the built CLI in the temporary directory, with `input` on its standard input. */
function run(args: string[], input?: string) {
  const r =
    input === undefined
      ? runCli(args, dir)
      : spawnSync(process.execPath, [path.join(ROOT, 'bin', 'fwlang.js'), ...args], { cwd: dir, input, encoding: 'utf8', timeout: 60_000 });
  expect(r.stderr).not.toMatch(/^\s+at /m);
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

describe('fwlang import', () => {
  it('exit 0 and the .fw on stdout when everything could be expressed', () => {
    const r = run(['import', 'web-only.json']);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout).toBe(
      [
        '# Imported by `fwlang import --from aws`: 0 network ACLs, 1 security group.',
        '',
        'host eni-1 10.0.0.10',
        '',
        '# security group sg-1 "web"',
        'firewall sg-1 aws-sg protects eni-1 default deny {',
        '  inbound allow tcp from 0.0.0.0/0 to any port 443',
        '}',
        '',
      ].join('\n'),
    );
  });

  it('exit 1 when something could not be expressed: each item one line on stderr, and a comment in the output', () => {
    const files = ['network-acls.json', 'security-groups.json', 'subnets.json', 'network-interfaces.json'].map(fixture);
    const r = run(['import', '--from', 'aws', ...files]);
    expect(r.code).toBe(1);
    const lines = r.stderr.trimEnd().split('\n');
    expect(lines).toHaveLength(6);
    for (const l of lines) expect(l).toMatch(/^not expressed: /);
    expect(lines[1]).toBe(
      'not expressed: acl-0a1b2c3d4e5f60001 entry 140: inbound allow protocol 1 ICMP type 8 code 0 from 0.0.0.0/0: ' +
        'one ICMP type (8, code 0): a .fw icmp rule matches every ICMP type and code',
    );
    expect(r.stdout).toContain('  # not expressed: 140 inbound allow protocol 1 ICMP type 8 code 0 from 0.0.0.0/0: ');
    expect(r.stdout).toContain('  # not expressed: outbound allow protocol tcp port 443 to pl-63a5400a: ');
  });

  it('-o writes the file instead of stdout; - reads standard input', () => {
    const out = path.join(dir, 'out.fw');
    const r = run(['import', '-', '-o', out], fs.readFileSync(fixture('security-groups.json'), 'utf8'));
    expect(r.code).toBe(1); // no describe-network-interfaces: the members are placeholders
    expect(r.stdout).toBe('');
    expect(r.stderr).toContain('not expressed: sg-0a1b2c3d4e5f60003: its members are not in the input');
    const written = fs.readFileSync(out, 'utf8');
    expect(written).toMatch(/^# Imported by `fwlang import --from aws`: 0 network ACLs, 3 security groups\.\n/);
    expect(written).toContain('firewall bastion aws-sg protects bastion-members default deny {\n');
  });

  it('stdin and files together, the format recognised from each', () => {
    const r = run(['import', fixture('network-interfaces.json'), '-'], fs.readFileSync(fixture('security-groups.json'), 'utf8'));
    expect(r.stdout).toContain('firewall bastion aws-sg protects bastion1 default deny {\n');
  });

  it('exit 2, one line on stderr: not JSON, not the format, an unknown format, no file, stdin twice', () => {
    expectUsage(run(['import', 'not-json.json']), /^fwlang: not-json\.json: not JSON/);
    expectUsage(run(['import', 'other.json']), /other\.json: not a format fwlang can import/);
    expectUsage(run(['import', '--from', 'aws', 'other.json']), /other\.json: not the JSON of aws ec2 describe-network-acls/);
    expectUsage(run(['import', '--from', 'terraform', 'web-only.json']), /web-only\.json: not the JSON of terraform show -json/);
    expectUsage(run(['import', '--from', 'cisco', 'web-only.json']), /unknown format cisco/);
    expectUsage(run(['import']), /import needs a file/);
    expectUsage(run(['import', 'nosuch.json']), /cannot read nosuch\.json/);
    expectUsage(run(['import', '-', '-'], '{}'), /standard input \(-\) can be read only once/);
    expectUsage(run(['import', 'web-only.json', '-o']), /-o needs a file/);
    expectUsage(run(['import', 'web-only.json', '--host', '10.0.0.1']), /--host is for --from iptables or nftables/);
  });
});

describe('in a pipe, as CI runs it', () => {
  it('terraform show -json | fwlang import --from terraform - | fwlang check -', () => {
    const fw = `"${process.execPath}" "${path.join(ROOT, 'bin', 'fwlang.js')}"`;
    const r = spawnSync(
      'sh',
      ['-c', `cat "${fixture('terraform-state.json')}" | ${fw} import --from terraform - | ${fw} check -; echo "exit $?"`],
      {
        cwd: dir,
        encoding: 'utf8',
        timeout: 60_000,
      },
    );
    expect(r.stdout).toMatch(/^0 errors, \d+ warnings?, \d+ infos?, \d+ hints? in 1 file\nexit 0\n$/m);
    expect(r.stdout).not.toMatch(/ error /);
    // import's own stderr: what it could not express, each on its line.
    expect(r.stderr).toContain('not expressed: aws_security_group.web: outbound allow protocol tcp port 443 to pl-63a5400a: ');
  });

  it('the AWS CLI files, imported with -o, check without an error', () => {
    const out = path.join(dir, 'aws.fw');
    const files = ['network-acls.json', 'security-groups.json', 'subnets.json', 'network-interfaces.json'].map(fixture);
    expect(run(['import', ...files, '-o', out]).code).toBe(1);
    const c = run(['check', out]);
    expect(c.code).toBe(0);
    expect(c.stdout).toMatch(/^0 errors, /m);
  });
});

describe('fwlang check - (standard input)', () => {
  it('reads the file from stdin and reports it as <stdin>', () => {
    const ok = run(['check', '-'], fs.readFileSync(path.join(dir, 'ok.fw'), 'utf8'));
    expect(ok.code).toBe(0);
    const bad = run(
      ['check', '-'],
      'host web 10.0.1.10\nfirewall sg stateful protects web {\n}\nflow 198.51.100.1 -> web https expect allow\n',
    );
    expect(bad.code).toBe(1);
    expect(bad.stdout).toMatch(/^<stdin>:4:1: error flow-expectation: /m);
    const json = JSON.parse(run(['check', '-', '--format', 'json'], 'host web 10.0.1.10\n').stdout) as { files: { path: string }[] };
    expect(json.files.map((f) => f.path)).toEqual(['<stdin>']);
  });

  it('includes relative to the current directory', () => {
    const r = run(['check', '-'], 'include "ok.fw"\nflow 198.51.100.1 -> web https expect allow\n');
    expect(r.stdout).toMatch(/^0 errors/m);
    expect(r.code).toBe(0);
  });

  it('--fix cannot rewrite stdin; stdin only once', () => {
    expectUsage(run(['check', '-', '--fix'], 'host web 10.0.1.10\n'), /--fix cannot rewrite standard input/);
    expectUsage(run(['check', '-', '-'], 'host web 10.0.1.10\n'), /standard input \(-\) can be read only once/);
  });
});
