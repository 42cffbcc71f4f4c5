import { describe, expect, it } from 'vitest';
import { loadFixture, observationOf, ruleFixtureFiles, ruleFolders } from '../__fixtures__/load-fixtures';
import { deriveRoute } from '../derive-route';

// Every recording beside every rule that states its whole expected attribution is asserted as a
// whole object. The first-round recordings state theirs in derive-route.fixtures.test.ts.
describe('every rule recording with an expected attribution', () => {
  for (const folder of ruleFolders()) {
    const files = ruleFixtureFiles(folder).filter((file) => loadFixture(file).expected !== undefined);
    if (files.length === 0) continue;
    describe(folder, () => {
      for (const file of files) {
        it(file, () => {
          const fixture = loadFixture(file);
          expect(deriveRoute(observationOf(fixture))).toEqual(fixture.expected);
        });
      }
    });
  }
});
