// BlueGreenApp: two fixed slots run side by side; releasing and rolling back only move Service selectors.
import * as kplus from 'cdk8s-plus-27';
import { Construct } from 'constructs';
import { ServedAppProps, VariantProps } from './app-props';
import { StrategyApp } from './base';
import { Annotation, Label } from '../labels';
import { RollingUpdateProps, rollingUpdateStrategy } from './rolling-update';
import { checkInteger, fail } from '../validation';

/**
 * A blue/green slot.
 */
export enum Slot {
  /** The slot whose Deployment is `<name>-blue`. */
  BLUE = 'blue',
  /** The slot whose Deployment is `<name>-green`. */
  GREEN = 'green',
}

/**
 * Props of `BlueGreenApp`.
 */
export interface BlueGreenAppProps extends ServedAppProps, RollingUpdateProps {
  /**
   * The version in the blue slot. Required while blue is the active slot; left out while it is
   * idle, e.g. for the first release, its Deployment runs no pods (see `idleReplicas`).
   *
   * @default - none: the slot's Deployment runs the active slot's version at 0 pods
   */
  readonly blue?: VariantProps;

  /**
   * The version in the green slot. Required while green is the active slot; left out while it is
   * idle, e.g. for the first release, its Deployment runs no pods (see `idleReplicas`).
   *
   * @default - none: the slot's Deployment runs the active slot's version at 0 pods
   */
  readonly green?: VariantProps;

  /**
   * The slot the Service sends traffic to. Changing it is the switch (and the rollback): only the
   * Services' selectors change.
   */
  readonly activeSlot: Slot;

  /**
   * Whether to make the preview Service `<name>-preview`, which selects the idle slot so that the
   * next version can be checked before the switch. There is nothing to preview while the idle slot
   * has no version.
   *
   * @default - true when the idle slot has a version, false otherwise
   */
  readonly preview?: boolean;

  /**
   * Pods of the idle slot; not with `autoscaling`. Keep it at `replicas` from before a switch until the switch has been
   * applied and checked: the switch then only moves traffic to pods that are already ready. Set
   * it to 0 afterwards to free the resources, and back to `replicas` before the next switch. It
   * must be 0 while the idle slot has no version.
   *
   * @default - `replicas`; 0 when the idle slot has no version
   */
  readonly idleReplicas?: number;

  /**
   * Allows `idleReplicas` above `replicas`, e.g. to load-test the idle slot.
   *
   * @default false
   */
  readonly allowIdleAboveReplicas?: boolean;
}

/**
 * An app released by blue/green deployment: two Deployments, `<name>-blue` and `<name>-green`,
 * always both present. The Service `<name>` selects the active slot and `<name>-preview` the idle
 * one. A release deploys the new version into the idle slot, checks it through the preview
 * Service, and switches `activeSlot`; switching back is the rollback. The Deployments are the same
 * before and after a switch, so no pod restarts. The first release may leave the idle slot out:
 * its Deployment then runs no pods and there is no preview until the next version goes there.
 */
export class BlueGreenApp extends StrategyApp {
  /** The Deployment of the blue slot. */
  public readonly blueDeployment: kplus.Deployment;
  /** The Deployment of the green slot. */
  public readonly greenDeployment: kplus.Deployment;
  /** The Deployment of the active slot. */
  public readonly activeDeployment: kplus.Deployment;
  /** The Deployment of the idle slot. */
  public readonly idleDeployment: kplus.Deployment;
  /** The Service selecting the active slot. */
  public readonly service: kplus.Service;
  /** The Service selecting the idle slot, unless `preview` is false. */
  public readonly previewService?: kplus.Service;
  /** With a `trafficRouter`: the Service `<name>-blue`, which selects the blue slot only, a backend of the route. */
  public readonly blueService?: kplus.Service;
  /** With a `trafficRouter`: the Service `<name>-green`, which selects the green slot only, a backend of the route. */
  public readonly greenService?: kplus.Service;
  /** The slot the Service selects. */
  public readonly activeSlot: Slot;
  /** The slot the preview Service selects. */
  public readonly idleSlot: Slot;
  /** The version of the active slot. */
  public readonly activeVersion: string;
  /** The version of the idle slot; the active slot's while the idle slot has none. */
  public readonly idleVersion: string;
  /** Pods of the idle slot; with `autoscaling`, the fewest (`autoscaling.minReplicas`). */
  public readonly idleReplicas: number;

  constructor(scope: Construct, id: string, props: BlueGreenAppProps) {
    super(scope, id, props);
    // The name is checked against its longest object name first, so that the limit it is told is
    // the one that counts, not that of the first object made; a first release without a preview
    // is held to the limit of the release that adds one.
    this._objectName(props.preview === false ? '-green' : '-preview');
    if (!Object.values(Slot).includes(props.activeSlot)) {
      fail(this, 'activeSlot', props.activeSlot, 'it must be Slot.BLUE or Slot.GREEN');
    }
    this.activeSlot = props.activeSlot;
    this.idleSlot = props.activeSlot === Slot.BLUE ? Slot.GREEN : Slot.BLUE;

    const variants = { [Slot.BLUE]: props.blue, [Slot.GREEN]: props.green };
    const activeVariant = variants[this.activeSlot];
    if (!activeVariant) {
      fail(this, this.activeSlot, activeVariant, `it is the active slot, which needs a version: set '${this.activeSlot}' `
        + 'to { image: ... }');
    }
    const idleVariant = variants[this.idleSlot];
    // Without a version the idle slot's Deployment still exists, at 0 pods of the active version,
    // so that the objects stay the same when the next version goes there.
    if (!idleVariant) {
      for (const [prop, value] of [['idleReplicas', props.idleReplicas], ['preview', props.preview]] as const) {
        if (value !== undefined && value !== 0 && value !== false) {
          fail(this, prop, value, `the idle slot '${this.idleSlot}' has no version to run or preview: set `
            + `'${this.idleSlot}' to { image: ... } first`);
        }
      }
    }
    const preview = props.preview ?? idleVariant !== undefined;
    if (props.autoscaling && props.idleReplicas !== undefined) {
      fail(this, 'idleReplicas', props.idleReplicas, 'with \'autoscaling\' both slots get the same HorizontalPodAutoscaler, so '
        + 'that a switch never lands on fewer pods than the active slot\'s minimum, and the idle slot\'s autoscaler already '
        + 'scales it down to \'autoscaling.minReplicas\' while it gets no traffic: remove \'idleReplicas\'');
    }
    this.idleReplicas = checkInteger(this, 'idleReplicas', props.idleReplicas ?? (idleVariant ? this.replicas : 0), 0);
    if (this.idleReplicas > this.replicas && !props.allowIdleAboveReplicas) {
      fail(this, 'idleReplicas', this.idleReplicas, `it may be at most 'replicas' (${this.replicas}) `
        + 'unless \'allowIdleAboveReplicas\' is true');
    }
    this.activeVersion = this._version(activeVariant, `${this.activeSlot}.`);
    this.idleVersion = idleVariant ? this._version(idleVariant, `${this.idleSlot}.`) : this.activeVersion;

    if (preview && idleVariant?.image === activeVariant.image && this.idleVersion === this.activeVersion) {
      fail(this, `${this.idleSlot}.image`, idleVariant.image, 'it is the image and version of the active slot '
        + `'${this.activeSlot}', so the preview Service would show nothing new: deploy the next version into `
        + `'${this.idleSlot}', or set 'preview' to false`);
    }

    const strategy = rollingUpdateStrategy(this, props);
    const deploy = (slot: Slot, id: string) => this._addDeployment(id, {
      nameSuffix: `-${slot}`,
      variant: variants[slot] ?? activeVariant,
      version: slot === this.activeSlot ? this.activeVersion : this.idleVersion,
      replicas: slot === this.activeSlot ? this.replicas : this.idleReplicas,
      selector: { [Label.SLOT]: slot },
      strategy,
    });
    this.blueDeployment = deploy(Slot.BLUE, 'Blue');
    this.greenDeployment = deploy(Slot.GREEN, 'Green');
    [this.activeDeployment, this.idleDeployment] = this.activeSlot === Slot.BLUE
      ? [this.blueDeployment, this.greenDeployment]
      : [this.greenDeployment, this.blueDeployment];

    this.service = this._addService('Service', {
      nameSuffix: '',
      selector: { [Label.SLOT]: this.activeSlot },
      annotations: { [Annotation.VERSION]: this.activeVersion },
      selects: [this.activeDeployment],
    });
    if (preview) {
      this.previewService = this._addService('PreviewService', {
        nameSuffix: '-preview',
        selector: { [Label.SLOT]: this.idleSlot },
        annotations: { [Annotation.VERSION]: this.idleVersion },
        selects: [this.idleDeployment],
      });
    }
    if (props.trafficRouter) {
      // The route sends everything to the active slot, so a switch moves it with the selectors.
      const backend = (slot: Slot, id: string, deployment: kplus.Deployment) =>
        this._addBackend(id, slot, { [Label.SLOT]: slot }, deployment, slot === this.activeSlot ? 1 : 0);
      const blue = backend(Slot.BLUE, 'BlueService', this.blueDeployment);
      const green = backend(Slot.GREEN, 'GreenService', this.greenDeployment);
      this.blueService = blue.service;
      this.greenService = green.service;
      this._addRoute(this.service, [blue, green]);
    }
  }
}
