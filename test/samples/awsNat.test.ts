// samples/aws-nat.fw, the AWS guide's example with its NAT gateway: every flow meets its
// expect, and the flow through the gateway fails exactly when the public ACL's return rule
// stops covering the gateway's ports 1024-65535 (issue 9's "done when").
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { analyze } from '../../server/src/analysis/analyze';
import { buildModel } from '../../server/src/model/resolve';

const PATH = join(__dirname, '..', '..', 'samples', 'aws-nat.fw');
const TEXT = readFileSync(PATH, 'utf8');
const RETURN_RULE = '140 inbound  allow tcp from internet to public port 1024-65535';
const NAT_FLOW = 'dbsrv -> site https via natgw';

function natFlow(text: string) {
  const a = analyze(buildModel(PATH, text));
  return a.flowResults.find((r) => r.flow.text === NAT_FLOW)!;
}

describe('samples/aws-nat.fw', () => {
  it('every flow meets its expect, and nothing is an error', () => {
    const a = analyze(buildModel(PATH, TEXT));
    expect(a.flowResults.filter((r) => !r.met).map((r) => r.flow.text)).toEqual([]);
    expect(a.diagnostics.filter((d) => d.severity === 'error')).toEqual([]);
    expect(a.diagnostics.map((d) => d.code)).not.toContain('platform-unsupported');
  });

  it('the flow through the NAT gateway passes with the public return rule, fails without it', () => {
    expect(TEXT).toContain(RETURN_RULE);
    expect(natFlow(TEXT).verdict).toBe('allowed');
    const without = natFlow(TEXT.replace(RETURN_RULE, '# (removed)'));
    expect(without.verdict).toBe('blocked');
    const narrowed = natFlow(TEXT.replace(RETURN_RULE, RETURN_RULE.replace('1024-65535', '32768-65535')));
    expect(narrowed.verdict).toBe('partial');
    expect(narrowed.nat?.blockedGatewayPorts.toString()).toBe('1024-32767');
  });
});
