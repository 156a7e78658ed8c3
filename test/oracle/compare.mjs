// Comparing one flow: fwlang's answer (simulate --json) against what the
// kernel let through, port by port. Each function probes the flow, pushes a
// line per disagreement to `problems` and answers how many client ports it
// probed. ctx: { probe, opts, stats }.

import { BOUNDARY_PORTS, clientEphemeral } from './scenarios.mjs';
import { inRanges, mergeRanges, parsePortList, rangesText, sameRanges } from './util.mjs';

/** An ICMP echo: fwlang's allowed / blocked against whether the reply came back. */
export async function icmpFlow(f, sim, wire, ctx, ctNs, problems) {
  const { probe, opts, stats } = ctx;
  const v = sim.verdict;
  let got = await probe(wire, [0], opts.timeoutMs, { ctNs });
  stats.probes++;
  if (v === 'allowed' && !got.pass[0]) {
    stats.reprobed++;
    got = await probe(wire, [0], 1000, { ctNs });
  }
  if (got.pass[0]) stats.kernelPasses++;
  if ((v === 'allowed') !== got.pass[0] || !['allowed', 'blocked'].includes(v))
    problems.push(`flow "${f.text}": fwlang ${v}, kernel ${got.pass[0] ? 'passes' : 'drops'} the echo request/reply`);
  return 1;
}

/**
 * A TCP or UDP flow: every probed client port passes the kernel exactly when
 * fwlang allows it; fwlang's allowed + blocked ports are the ports the flow
 * considers; its verdict fits its own ports and what passed.
 */
export async function plainFlow(sc, f, sim, wire, ctx, ctNs, problems) {
  const { probe, opts, stats } = ctx;
  const allowed = sim.response ? parsePortList(sim.response.allowedClientPorts) : [];
  const blocked = sim.response ? parsePortList(sim.response.blockedClientPorts) : null;
  // the client ports the flow considers (spec §6): given, else the client's ephemeral range
  const considered = f.sports ? mergeRanges(f.sports.map((p) => [p, p])) : [clientEphemeral(sc, f.client)];
  if (blocked && !sameRanges([...allowed, ...blocked], considered))
    problems.push(
      `flow "${f.text}": fwlang's allowed (${rangesText(allowed)}) + blocked (${rangesText(blocked)}) client ports are not the ports the flow considers (${rangesText(considered)})`,
    );
  const ownVerdict = !blocked || allowed.length === 0 ? 'blocked' : blocked.length === 0 ? 'allowed' : 'partial';
  if (sim.verdict !== ownVerdict)
    problems.push(
      `flow "${f.text}": fwlang's verdict ${sim.verdict} does not match its own client ports (allowed ${rangesText(allowed) || '-'}, blocked ${blocked ? rangesText(blocked) || '-' : 'all'})`,
    );
  let sports = f.sports;
  if (!sports) {
    // a whole ephemeral range: probe its ends and the boundaries inside it
    const [lo, hi] = considered[0];
    sports = [...new Set([lo, lo + 1, hi - 1, hi, ...BOUNDARY_PORTS.filter((p) => p >= lo && p <= hi)])].sort((a, b) => a - b);
  }
  const want = sports.map((p) => inRanges(allowed, p));
  const got = await probe(wire, sports, opts.timeoutMs, { ctNs });
  stats.probes += sports.length;
  // A port can only look blocked by being slow: confirm such disagreements with a long timeout.
  const slow = sports.filter((p, j) => want[j] && !got.pass[j]);
  if (slow.length) {
    stats.reprobed += slow.length;
    const again = await probe(wire, slow, 1000, { ctNs });
    slow.forEach((p, j) => {
      if (again.pass[j]) got.pass[sports.indexOf(p)] = true;
    });
  }
  const kernelOk = sports.filter((_, j) => got.pass[j]);
  stats.kernelPasses += kernelOk.length;
  const kernelNo = sports.filter((_, j) => !got.pass[j]);
  const bad = sports.filter((_, j) => got.pass[j] !== want[j]);
  const v = sim.verdict;
  const verdictBad =
    (kernelOk.length && v === 'blocked') ||
    (kernelNo.length && v === 'allowed') ||
    (f.sports && kernelOk.length && kernelNo.length && v !== 'partial');
  if (bad.length || verdictBad) {
    problems.push(
      `flow "${f.text}": fwlang ${v} (allowed ${rangesText(allowed) || '-'}), kernel passes ${kernelOk.join(',') || '-'}, drops ${kernelNo.join(',') || '-'}` +
        (bad.length
          ? `; disagree on ${bad.map((p) => `${p} (fwlang ${inRanges(allowed, p) ? 'allow' : 'deny'}, kernel ${got.pass[sports.indexOf(p)] ? 'pass' : 'drop'}; request ${got.seen.has(p) ? 'reached' : 'did not reach'} the server)`).join(', ')}`
          : ''),
    );
  }
  return sports.length;
}

// A flow through the nat gateway in r1. Each probed client port CP has its
// own flow `client:CP -> ... via natgw`, whose allowed gateway ports are
// exactly those that pass with CP; the kernel's pick (r1's conntrack reply
// tuple) must pass exactly when fwlang allows it. The flow over all probed
// ports must have a verdict that fits what passed, and every client port it
// calls allowed must pass.
export async function natFlow(sc, f, sims, wire, ctx, { ctNs, natAt }, problems) {
  const { probe, opts, stats } = ctx;
  const nat = sc.nats.find((n) => n.name === f.natName);
  const natRange = nat.ports ?? [1024, 65535];
  const agg = sims[f.simIndex];
  const perPort = new Map();
  for (const pp of f.perPort) {
    const s = sims[pp.simIndex];
    let gw;
    if (typeof s.allowedGatewayPorts === 'string') gw = parsePortList(s.allowedGatewayPorts);
    else gw = s.verdict === 'allowed' ? [natRange] : s.verdict === 'blocked' ? [] : null;
    if (gw === null) {
      problems.push(`flow "${pp.text}": fwlang says ${s.verdict} but names no allowedGatewayPorts`);
      gw = [];
    }
    const own = gw.length === 0 ? 'blocked' : sameRanges(gw, [natRange]) ? 'allowed' : 'partial';
    if (own !== s.verdict)
      problems.push(`flow "${pp.text}": fwlang's verdict ${s.verdict} does not match its allowed gateway ports (${rangesText(gw) || '-'})`);
    perPort.set(pp.port, { verdict: s.verdict, gw });
  }
  const sports = f.sports;
  const got = await probe(wire, sports, opts.timeoutMs, { ctNs, natAt });
  stats.probes += sports.length;
  const pass = new Map(sports.map((p, j) => [p, got.pass[j]]));
  const gp = new Map(sports.map((p) => [p, got.gateway.get(p)]));
  const slow = sports.filter((p) => !pass.get(p) && gp.get(p) != null && inRanges(perPort.get(p).gw, gp.get(p)));
  if (slow.length) {
    stats.reprobed += slow.length;
    const again = await probe(wire, slow, 1000, { ctNs, natAt });
    slow.forEach((p, j) => {
      pass.set(p, again.pass[j]);
      gp.set(p, again.gateway.get(p));
    });
  }
  const allowedClients = agg.response ? parsePortList(agg.response.allowedClientPorts) : [];
  const detail = [];
  for (const p of sports) {
    const g = gp.get(p);
    if (g == null) {
      // no conntrack entry in r1: the request was dropped there before it was masqueraded, whatever gateway port
      if (pass.get(p))
        problems.push(`flow "${f.text}": client port ${p} passed, yet r1's conntrack has no entry for it (was it masqueraded?)`);
      else if (perPort.get(p).gw.length)
        detail.push(`${p} (dropped in r1 before the NAT, but fwlang allows gateway ports ${rangesText(perPort.get(p).gw)} for it)`);
      continue;
    }
    if (!inRanges([natRange], g))
      problems.push(`flow "${f.text}": client port ${p} left r1 with gateway port ${g}, outside the nat's ports ${rangesText([natRange])}`);
    const want = inRanges(perPort.get(p).gw, g);
    if (pass.get(p)) stats.kernelPasses++;
    if (want !== pass.get(p))
      detail.push(
        `${p}→${g} (fwlang ${want ? 'allows' : 'denies'} gateway port ${g} for it: ${rangesText(perPort.get(p).gw) || 'none'}; kernel ${pass.get(p) ? 'passes' : 'drops'})`,
      );
    if (inRanges(allowedClients, p) && !pass.get(p))
      detail.push(`${p}: fwlang's flow over all ports calls it allowed, kernel drops it (gateway port ${g})`);
    if (inRanges(allowedClients, p) !== (perPort.get(p).verdict === 'allowed'))
      problems.push(
        `flow "${f.text}": client port ${p} is ${inRanges(allowedClients, p) ? '' : 'not '}allowed over all ports, but its own flow is ${perPort.get(p).verdict}`,
      );
  }
  const ok = sports.filter((p) => pass.get(p));
  const no = sports.filter((p) => !pass.get(p));
  (sc.notes ??= []).push(
    `flow "${f.text}": kernel (client port→gateway port) passes ${ok.map((p) => `${p}→${gp.get(p)}`).join(',') || '-'}, drops ${no.map((p) => `${p}→${gp.get(p) ?? 'dropped before the NAT'}`).join(',') || '-'}`,
  );
  const v = agg.verdict;
  const verdictBad = (ok.length && v === 'blocked') || (no.length && v === 'allowed') || (ok.length && no.length && v !== 'partial');
  if (detail.length || verdictBad)
    problems.push(
      `flow "${f.text}": fwlang ${v}, kernel passes ${ok.map((p) => `${p}→${gp.get(p)}`).join(',') || '-'}, drops ${no.map((p) => `${p}→${gp.get(p)}`).join(',') || '-'}` +
        (detail.length ? `; disagree on ${detail.join(', ')}` : ''),
    );
  return sports.length;
}
