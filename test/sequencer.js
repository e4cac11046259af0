// The order in which jest hands the test files to its workers. jest's own order runs the files it
// has timed slowest first, and the files it has not timed (all of them, with a fresh cache, as on
// CI) largest first; the property tests are short files that run for 10 to 22 s each, so with a
// fresh cache they came last and one worker ran the last of them alone. Untimed property tests
// now go first, in jest's order; everything else keeps jest's order.
const Sequencer = require('@jest/test-sequencer').default;

const isPropertyTest = test => test.path.endsWith('properties.test.ts');

class PropertyTestsFirst extends Sequencer {
  sort(tests) {
    const sorted = super.sort(tests);
    const first = sorted.filter(test => test.duration == null && isPropertyTest(test));
    return [...first, ...sorted.filter(test => !first.includes(test))];
  }
}

module.exports = PropertyTestsFirst;
