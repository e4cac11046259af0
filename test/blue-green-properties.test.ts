// Release-phase invariants of BlueGreenApp over generated props: the README's steps, each keeping
// the objects and selectors and passing the release gate, and the hazards the gate catches.
import * as fc from 'fast-check';
import { BlueGreenAppProps, ReleaseDiff, Slot } from '../lib';
import { objectSet } from './util';
import {
  RUNS, blueGreen, blueGreenProps, expectGatePasses, expectSameShapes, gate, manifestsOf,
  manifestsOfPhases, selectors, variant, withSelectorChanged, withUnseenVersion,
} from './properties/arbitraries';

describe('valid props synthesize valid, checked manifests, and every next phase keeps the objects and selectors', () => {
  test('BlueGreenApp: the README\'s steps, each through the gate, and the hazards it catches', () => {
    const nextVersion = (props: BlueGreenAppProps) =>
      variant.filter(v => v.image !== props.blue!.image && v.image !== props.green!.image);
    fc.assert(fc.property(blueGreenProps.chain(props => fc.tuple(fc.constant(props), nextVersion(props))), ([props, next]) => {
      const idle = props.activeSlot === Slot.BLUE ? 'green' : 'blue';
      const other = props.activeSlot === Slot.BLUE ? Slot.GREEN : Slot.BLUE;
      const ready = { ...props, idleReplicas: undefined };
      const deployed = { ...ready, [idle]: next };
      const switched = { ...deployed, activeSlot: other };
      const scaledDown = { ...switched, idleReplicas: 0 };
      const rolledBack = { ...switched, activeSlot: props.activeSlot };
      // Switching back gives the props of the deploy step again, so its manifests are those.
      expect(rolledBack).toStrictEqual(deployed);
      const [before, readied, afterDeploy, afterSwitch, afterScaleDown] =
        manifestsOfPhases(blueGreen, [props, ready, deployed, switched, scaledDown]);
      const afterRollback = afterDeploy;
      expectSameShapes(before, [readied, afterDeploy, afterSwitch, afterScaleDown, afterRollback]);
      // The steps in order: the idle slot back to replicas, deploy, switch, scale the idle slot
      // down and back up, and roll back to the slot that still runs.
      expectGatePasses([before, readied, afterDeploy, afterSwitch, afterScaleDown, afterSwitch, afterRollback]);
      // The first release, with nothing in the idle slot: the same Deployments and selectors, and
      // putting the version there is a move like any deploy to the idle slot.
      const firstRelease = manifestsOf(blueGreen, { ...props, [idle]: undefined, idleReplicas: undefined, preview: undefined });
      expect(objectSet(firstRelease)).toEqual(objectSet(before).filter(o => o !== `Service/${props.name}-preview`));
      expect(selectors(firstRelease)).toEqual(selectors(before));
      expectGatePasses([firstRelease, readied]);

      const name = props.name!;
      expect(gate(afterDeploy, withUnseenVersion(afterSwitch, `${name}-${idle}`))).toContain('block unverified-switch');
      expect(gate(afterSwitch, withUnseenVersion(afterSwitch, `${name}-${idle}`))).toContain('block live-template-changed');
      expect(gate(afterSwitch, withSelectorChanged(afterSwitch))).toContain('block selector-changed');
      // Back to the slot that was scaled to 0, in one apply: no pod of it is ready. The slot it
      // switches to served nothing before, so no maxUnavailable lowers the floor, whatever it is.
      const toZero = ReleaseDiff.between(afterScaleDown, afterRollback);
      const live = toZero.services.find(s => s.name === name)!;
      expect(live.during).toBe(0);
      const replicas = props.replicas ?? 2;
      expect(live.floor).toBe(replicas);
      expect(toZero.findings.some(f => f.code === 'capacity-drop')).toBe(replicas > 0);
    }), { numRuns: RUNS });
  });
});
