// How the production defaults of `ProductionProps` are checked and applied to each Deployment.
import { ApiObject, Duration, JsonPatch } from 'cdk8s';
import * as kplus from 'cdk8s-plus-27';
import { IConstruct } from 'constructs';
import { addAutoscaler, AutoscalingProps, checkAutoscaling } from './autoscaling';
import { addDisruptionBudget, checkDisruptionBudget, defaultDisruptionBudget, DisruptionBudget } from './disruption-budget';
import { hardenPodSecurity, PodSecurityLevel } from './pod-security';
import { ProductionProps } from './production';
import { checkWholeSeconds, fail } from '../validation';

/** The period of the default startup probe. */
const STARTUP_PERIOD_SECONDS = 10;
const DEFAULT_STARTUP_LIMIT = Duration.minutes(5);
const SPREAD_TOPOLOGIES = ['kubernetes.io/hostname', 'topology.kubernetes.io/zone'];

/** The parts of the props the production defaults read. */
interface Props extends ProductionProps {
  readonly replicas?: number;
  readonly startup?: kplus.Probe;
}

/** What one Deployment's extra objects are made of. */
export interface DeploymentTarget {
  readonly name: string;
  readonly labels: { [key: string]: string };
  readonly annotations?: { [key: string]: string };
  /** The Deployment's selector. */
  readonly selector: { [key: string]: string };
}

/** The production props of one construct, checked, with their defaults. */
export class ProductionDefaults {
  /** Checks the props of `scope`; errors name the prop. */
  public static resolve(scope: IConstruct, props: Props): ProductionDefaults {
    const podSecurity = props.podSecurity ?? PodSecurityLevel.RESTRICTED;
    if (!Object.values(PodSecurityLevel).includes(podSecurity)) {
      fail(scope, 'podSecurity', podSecurity, 'it must be PodSecurityLevel.RESTRICTED, BASELINE or PRIVILEGED');
    }
    const budget = checkDisruptionBudget(scope, props.disruptionBudget ?? defaultDisruptionBudget());
    const autoscaling = props.autoscaling === undefined ? undefined : checkAutoscaling(scope, props.autoscaling);
    if (autoscaling && props.replicas !== undefined) {
      fail(scope, 'replicas', props.replicas, 'the HorizontalPodAutoscalers of \'autoscaling\' size the Deployments, '
        + 'which state no replicas: remove \'replicas\' and set \'autoscaling.minReplicas\' instead');
    }
    if (props.startupProbe === false && (props.startup !== undefined || props.startupLimit !== undefined)) {
      fail(scope, 'startupProbe', false, `'${props.startup !== undefined ? 'startup' : 'startupLimit'}' is set too: `
        + 'remove it, or the startup probe is wanted');
    }
    if (props.startup !== undefined && props.startupLimit !== undefined) {
      fail(scope, 'startupLimit', props.startupLimit, 'it sets the limit of the default startup probe, and \'startup\' '
        + 'replaces that probe: give \'startup\' the failureThreshold and periodSeconds that make the limit');
    }
    const limit = checkWholeSeconds(scope, 'startupLimit', props.startupLimit ?? DEFAULT_STARTUP_LIMIT, 1);
    return new ProductionDefaults(podSecurity, budget, autoscaling, props, limit);
  }

  private constructor(
    public readonly podSecurity: PodSecurityLevel,
    public readonly budget: DisruptionBudget,
    public readonly autoscaling: AutoscalingProps | undefined,
    private readonly props: Props,
    private readonly startupLimitSeconds: number,
  ) {}

  /** The startup probe of a container listening on `port` (if any); undefined when it has none. */
  public startup(port: number | undefined): kplus.Probe | undefined {
    if (this.props.startupProbe === false) return undefined;
    if (this.props.startup) return this.props.startup;
    if (port === undefined) return undefined;
    const period = Math.min(STARTUP_PERIOD_SECONDS, this.startupLimitSeconds);
    return kplus.Probe.fromTcpSocket({
      port,
      periodSeconds: Duration.seconds(period),
      failureThreshold: Math.ceil(this.startupLimitSeconds / period),
    });
  }

  /**
   * Adds what every Deployment gets: hardening, spreading and no startup probe when asked for,
   * its disruption budget and its autoscaler. Returns the objects added, for the chart checks.
   */
  public apply(scope: IConstruct, id: string, deployment: kplus.Deployment, target: DeploymentTarget): ApiObject[] {
    const resource = ApiObject.of(deployment);
    hardenPodSecurity(deployment);
    if (this.props.startupProbe === false && deployment.containers[0]?.portNumber !== undefined) {
      // cdk8s-plus adds a probe on the container port whenever none is given.
      resource.addJsonPatch(JsonPatch.remove('/spec/template/spec/containers/0/startupProbe'));
    }
    if (this.props.spread ?? true) {
      resource.addJsonPatch(JsonPatch.add('/spec/template/spec/topologySpreadConstraints', SPREAD_TOPOLOGIES.map(topologyKey => ({
        maxSkew: 1, topologyKey, whenUnsatisfiable: 'ScheduleAnyway', labelSelector: { matchLabels: target.selector },
      }))));
    }
    const added: ApiObject[] = [];
    const budget = addDisruptionBudget(scope, `${id}Budget`, this.budget, target);
    if (budget) added.push(budget);
    if (this.autoscaling) {
      added.push(ApiObject.of(addAutoscaler(scope, `${id}Autoscaler`, deployment, this.autoscaling, target)));
    }
    return added;
  }
}
