// Spec §9 and §10: the hover explains `aws-nacl` / `aws-sg`; completion offers them as kinds.

import { describe, expect, it } from 'vitest';
import { completion } from '../../server/src/features/completion';
import { hover } from '../../server/src/features/hover';
import { cursor, docContext } from '../support/docContext';

function hoverAt(marked: string): string {
  const { text, offset } = cursor(marked);
  const h = hover(docContext(text), offset);
  return h ? (h.contents as { value: string }).value : '';
}

function completionAt(marked: string): { label: string; detail?: string }[] {
  const { text, offset } = cursor(marked);
  const ctx = docContext(text);
  return completion(ctx, ctx.lines.position(offset)).map((i) => ({ label: i.label, detail: i.detail }));
}

const FILE = `network public 10.0.0.0/24
host web 10.0.0.10
firewall acl <|>aws-nacl protects public {
  100 inbound allow tcp from 0.0.0.0/0 to public port 443
}
firewall sg aws-sg protects web {
  inbound allow tcp to web port 443
}
flow 198.51.100.7 -> web https via <|>acl
`;

const at = (n: number) => {
  const parts = FILE.split('<|>');
  return parts.slice(0, n + 1).join('') + '<|>' + parts.slice(n + 1).join('');
};

describe('the platform words in the editor', () => {
  it('hover on aws-nacl and aws-sg says what the platform is', () => {
    expect(hoverAt(at(0))).toContain('an AWS network ACL: stateless, rules tried lowest number first, no source ports, final `*` deny');
    expect(hoverAt(at(0).replace('<|>', '').replace('sg aws-sg', 'sg <|>aws-sg'))).toContain('an AWS security group: stateful');
    // On the firewall's name: its kind is the platform.
    expect(hoverAt(at(1))).toContain('— aws-nacl, protects 10.0.0.0/24');
  });

  it('completion offers the two kinds after a firewall name, with what they mean', () => {
    const items = completionAt('firewall edge <|>');
    const labels = items.map((i) => i.label).sort();
    expect(labels).toEqual(['aws-nacl', 'aws-sg', 'stateful', 'stateless']);
    expect(items.find((i) => i.label === 'aws-nacl')?.detail).toContain('no source ports, final `*` deny');
  });
});
