// shadowed-rule and redundant-rule on the fixture files: every diagnostic marked, every mark met.
import { describe, it } from 'vitest';
import { expectFixture } from '../../support/fixture';
import { RESPONSE_CODES, fixtureFiles } from '../../support/fixtureFiles';

describe('shadowed-rule fixtures', () => {
  it.each(fixtureFiles('shadowed-rule'))('%s', (name, text) => {
    expectFixture(text, { path: `/fixtures/${name}`, ignore: RESPONSE_CODES });
  });
});

describe('redundant-rule fixtures', () => {
  it.each(fixtureFiles('redundant-rule'))('%s', (name, text) => {
    expectFixture(text, { path: `/fixtures/${name}`, ignore: RESPONSE_CODES });
  });
});
