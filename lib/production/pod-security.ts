// The Pod Security Standards level the pods of a construct meet, and the hardening that makes the
// default pods meet "restricted". cdk8s-plus-27 has no seccomp option and no `ALL` capability, so
// both are written into the rendered Deployment by JSON patches; the 1.27 schema that cdk8s-plus
// renders through knows both fields, so they survive synthesis.
import { ApiObject, JsonPatch } from 'cdk8s';
import * as kplus from 'cdk8s-plus-27';

/**
 * A level of the Kubernetes Pod Security Standards: the one a namespace enforces with the label
 * `pod-security.kubernetes.io/enforce`.
 *
 * @see https://kubernetes.io/docs/concepts/security/pod-security-standards/
 */
export enum PodSecurityLevel {
  /** Hardened: no privilege escalation, non-root, the runtime's seccomp profile, every capability dropped. */
  RESTRICTED = 'restricted',
  /** Prevents known privilege escalations: no host namespaces, privileged containers or host paths. */
  BASELINE = 'baseline',
  /** Unrestricted: the chart checks accept any pod. */
  PRIVILEGED = 'privileged',
}

/** The capability every container drops, so that only what is added back is held. */
const DROP_ALL = 'ALL';

/**
 * Writes what "restricted" asks for and cdk8s-plus cannot express: the pod's `RuntimeDefault`
 * seccomp profile, and on every container and init container `capabilities.drop: [ALL]` unless
 * its security context drops capabilities of its own, with capability names as Pod Security
 * admission reads them. cdk8s-plus already writes `allowPrivilegeEscalation: false` and
 * `runAsNonRoot: true` by default. Written whatever the level: the level only says what the chart
 * checks accept, so that a looser level never silently loosens the pods.
 */
export function hardenPodSecurity(deployment: kplus.Deployment): void {
  const resource = ApiObject.of(deployment);
  resource.addJsonPatch(JsonPatch.add('/spec/template/spec/securityContext/seccompProfile', { type: 'RuntimeDefault' }));
  const lists: Array<[string, kplus.Container[]]> = [['containers', deployment.containers], ['initContainers', deployment.initContainers]];
  for (const [list, containers] of lists) {
    containers.forEach((container, index) => {
      resource.addJsonPatch(JsonPatch.add(`/spec/template/spec/${list}/${index}/securityContext/capabilities`,
        capabilitiesOf(container.securityContext.capabilities)));
    });
  }
}

function capabilitiesOf(capabilities: kplus.ContainerSecutiryContextCapabilities | undefined): any {
  // cdk8s-plus's Capability enum writes `CAP_NET_BIND_SERVICE`; the runtime reads it either way,
  // but Pod Security admission only knows the names without the prefix, and refuses the pod.
  const named = (list: kplus.Capability[] | undefined) => list?.map(c => String(c).replace(/^CAP_/, ''));
  return {
    ...(capabilities?.add ? { add: named(capabilities.add) } : {}),
    drop: named(capabilities?.drop) ?? [DROP_ALL],
  };
}
