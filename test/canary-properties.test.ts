// Release-phase invariants of CanaryApp over generated props, without a traffic router: raising and
// lowering the weight, promotion and abort keep the objects and selectors and pass the release
// gate, and a promotion of a version no canary ran is caught.
import * as fc from 'fast-check';
import { CanaryAppProps } from '../lib';
import {
  RUNS, canaryApp, canaryProps, expectGatePasses, expectSameShapes, gate, manifestsOf, withSelectorChanged,
  withUnseenVersion,
} from './properties/arbitraries';

describe('valid props synthesize valid, checked manifests, and every next phase keeps the objects and selectors', () => {
  test('CanaryApp: raising and lowering the weight through 50%, promotion and abort pass the gate; an unseen promotion does not', () => {
    const weight = fc.tuple(fc.boolean(), fc.double({ min: 0, max: 1, noNaN: true }));
    fc.assert(fc.property(canaryProps, weight, (props, [above, share]) => {
      const replicas = props.replicas!;
      // An exact weight: up to 50% the canary's pods beside replicas stable ones, above it the
      // stable track's pods beside replicas canary ones.
      const smaller = Math.round(share * replicas);
      const canaryWeight = above ? (100 * replicas) / (replicas + smaller) : (100 * smaller) / (replicas + smaller);
      const phase = (change: Partial<CanaryAppProps>) => ({ ...props, canaryReplicas: undefined, ...change });
      const [before, half, raised, promoted, aborted] = [
        props, phase({ canaryWeight: 50 }), phase({ canaryWeight }), phase({ stable: props.canary!, canaryWeight: 0 }),
        phase({ canaryWeight: 0 }),
      ].map(p => manifestsOf(canaryApp, p));
      expectSameShapes(before, [half, raised, promoted, aborted]);
      expectGatePasses([before, half, raised, half, promoted]);
      expectGatePasses([half, aborted]);
      if (!above) expectGatePasses([before, raised, aborted]);
      const name = props.name!;
      expect(gate(half, withUnseenVersion(promoted, name))).toContain('block unverified-promotion');
      expect(gate(half, withSelectorChanged(half))).toContain('block selector-changed');
    }), { numRuns: RUNS });
  });
});
