// An edited firewall's unchanged rules are taken from the last parse, not parsed again
// (server/src/syntax/ruleMemo.ts); the result is still exactly parse()'s. The random sequences
// of parse.property.test.ts cover the mix; these pin the cases where a rule's own text is
// unchanged but what is around it changes how it is read.
import { describe, expect, it } from 'vitest';
import { IncrementalParser } from '../../server/src/syntax/incremental';
import { parse } from '../../server/src/syntax/parse';
import { generate } from '../../bench/generate';

/** Parses `versions` in turn, each equal to a fresh parse; the parser after the last. */
function parseAll(versions: string[]): IncrementalParser {
  const p = new IncrementalParser();
  versions.forEach((text, i) => expect(p.parse(text), `version ${i + 1}`).toEqual(parse(text)));
  return p;
}

const FIREWALL = (rules: string) => `host web 10.0.0.5\nfirewall f stateless protects 10.0.0.0/24 {\n${rules}}\n`;
const R1 = '  inbound allow tcp from any to web port 443\n';
const R2 = '  outbound allow tcp from web port 443 to any port ephemeral\n';
const R3 = '  inbound deny udp from 192.0.2.0/24 to web\n';

describe('rules kept between parses', () => {
  it('takes every unchanged rule of an edited firewall once the firewall has been edited', () => {
    let text = generate(10, 50).text;
    const p = new IncrementalParser();
    p.parse(text);
    expect(p.keptRules).toBe(0); // the first parse keeps nothing
    const edit = (from: string, to: string) => {
      const at = text.indexOf(from);
      text = text.slice(0, at) + to + text.slice(at + from.length);
      expect(p.parse(text)).toEqual(parse(text));
    };
    edit('port 8003-8103', 'port 8004-8103');
    expect(p.replayedRules).toBe(0); // parsed in full, and kept
    expect(p.keptRules).toBe(50);
    edit('port 8004-8103', 'port 8005-8103');
    expect(p.replayedRules).toBe(49);
    expect(p.keptRules).toBe(1);
    // A line added moves every rule after it; the rule before it is followed by other tokens.
    const at = text.indexOf('port 8005-8103');
    const line = text.lastIndexOf('\n', at) + 1;
    text = `${text.slice(0, line)}  inbound allow tcp from any to any port 1\n${text.slice(line)}`;
    expect(p.parse(text)).toEqual(parse(text));
    expect(p.replayedRules).toBe(49);
  });

  it('reads a rule again when the tokens after it change how it ends', () => {
    // `port 443` on the next line continues the rule above it.
    const p = parseAll([
      FIREWALL(R3 + R1 + R2),
      FIREWALL(R3 + R1 + R2 + '\n'),
      FIREWALL(R3 + '  inbound allow tcp from any to web\n  port 443\n' + R2 + '\n'),
    ]);
    expect(p.replayedRules).toBe(2); // R3 and R2, moved; the edited rule is read again
    const open = '  inbound allow tcp from any to web\n';
    parseAll([FIREWALL(R3 + open + R2), FIREWALL(R3 + open + R2 + '\n'), FIREWALL(R3 + open + '  port 443\n' + R2 + '\n')]);
    parseAll([FIREWALL(R1 + R1 + R3), FIREWALL(R1 + R1 + R3 + ' '), FIREWALL(R1 + R1.replace('443', '443,') + R3)]);
  });

  it('numbered rules, and a number that leaves its line start', () => {
    const numbered = (n: string) => FIREWALL(`  ${n}inbound allow tcp from any to web\n  10 outbound allow tcp from web to any\n`);
    // Both rules taken back once the first line is as it was.
    expect(parseAll([numbered(''), numbered(' '), numbered('port 22 '), numbered('')]).replayedRules).toBe(2);
    // The numbered rule moved up to the end of the line before: taken there, off its line start.
    expect(
      parseAll([
        FIREWALL(R1 + '  10 ' + R2.trim() + '\n'),
        FIREWALL(R1 + ' \n  10 ' + R2.trim() + '\n'),
        FIREWALL(R1.trimEnd() + ' 10 ' + R2.trim() + '\n'),
      ]).replayedRules,
    ).toBe(1);
  });

  it('takes a rule from a firewall later in the file only if that firewall is parsed again', () => {
    const fw = (name: string, rules: string) => `firewall ${name} stateless protects 10.0.0.0/24 {\n${rules}}\n`;
    const b = fw('b', R1 + R2 + R3 + '\n');
    // b is edited (its rules kept), then a gets b's first two rules: taken from b, which is
    // then parsed again rather than reused holding them.
    const p = parseAll([fw('a', R3) + fw('b', R1 + R2 + R3), fw('a', R3) + b, fw('a', R1 + R2 + R3 + '\n') + b]);
    expect(p.replayedRules).toBe(3); // a: R1 and R2 from b; b: its R3 (R1 and R2 are read again)
    const ast = p.parse(fw('a', R1 + R2 + R3 + '\n') + b).ast;
    const rules = ast.statements.flatMap((s) => (s.kind === 'firewall' ? s.rules : []));
    expect(new Set(rules).size).toBe(rules.length);
  });

  it('gives a kept node to one place only, when a firewall is copied', () => {
    const fw = FIREWALL(R1 + R2 + R3);
    const p = parseAll([fw, fw + '\n', fw + fw, fw + fw.replace('443', '444'), fw.replace('443', '442') + fw.replace('443', '444')]);
    const ast = p.parse(fw + fw).ast;
    const rules = ast.statements.flatMap((s) => (s.kind === 'firewall' ? s.rules : []));
    expect(new Set(rules).size).toBe(rules.length);
    expect(ast).toEqual(parse(fw + fw).ast);
  });

  it('looks at a bounded number of kept rules per rule, however many are alike', () => {
    // A paste of thousands of one rule: each looked up among thousands kept under one key.
    const examined = (n: number): number => {
      const body = R1.repeat(n);
      const p = parseAll([FIREWALL(body), FIREWALL(body + ' '), FIREWALL(body + '  '), FIREWALL(R3 + body + '  ')]);
      expect(p.replayedRules).toBe(n);
      return p.examinedRules;
    };
    const [a, b] = [examined(1000), examined(2000)];
    expect(b).toBeLessThan(2.5 * a);
    expect(b).toBeLessThan(10 * 2000);
    // Rules alike on their first line, each different on its second, put in the reverse order:
    // each is compared with a few of the kept ones, not with all of them.
    const reversed = (n: number): number => {
      const rules = Array.from({ length: n }, (_, i) => `  inbound allow tcp from any\n    to web port ${i + 1}\n`);
      const body = rules.join('');
      const p = parseAll([FIREWALL(body), FIREWALL(body + ' '), FIREWALL(rules.reverse().join('') + ' ')]);
      return p.examinedRules;
    };
    expect(reversed(2000)).toBeLessThan(10 * 2000);
  });

  it('never keeps a rule read with an error', () => {
    const broken = FIREWALL(R1 + '  inbound allow tcp from any to web port\n' + R2);
    const p = parseAll([broken, broken + ' ', broken + '  ']);
    expect(p.replayedRules).toBe(2);
  });
});
