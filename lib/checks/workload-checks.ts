// Synth-time checks of what production clusters enforce on the pods and their budgets: every pod
// of a construct meets its Pod Security level, as a namespace labelled
// `pod-security.kubernetes.io/enforce: <level>` would admit it; no pod is covered by two
// PodDisruptionBudgets (the eviction API refuses to evict it); and no budget can never allow a
// disruption (every node drain would stall on it); and an autoscaled Deployment states no replicas
// and has the requests its autoscaler's targets are shares of. They read the rendered objects, so
// they see what escape hatches changed.
import type { PodIndex, PodSource } from './chart-checks';

/** The pod fields that share a namespace of the node. */
const HOST_NAMESPACES = ['hostNetwork', 'hostPID', 'hostIPC'];
/** Capabilities "baseline" allows to be added (the container runtime's defaults). */
const BASELINE_CAPABILITIES = ['AUDIT_WRITE', 'CHOWN', 'DAC_OVERRIDE', 'FOWNER', 'FSETID', 'KILL', 'MKNOD', 'NET_BIND_SERVICE',
  'SETFCAP', 'SETGID', 'SETPCAP', 'SETUID', 'SYS_CHROOT'];
/** The one capability "restricted" allows to be added. */
const RESTRICTED_CAPABILITIES = ['NET_BIND_SERVICE'];
/** Sysctls "baseline" allows: the namespaced, safe ones. */
const SAFE_SYSCTLS = ['kernel.shm_rmid_forced', 'net.ipv4.ip_local_port_range', 'net.ipv4.ip_unprivileged_port_start',
  'net.ipv4.tcp_syncookies', 'net.ipv4.ping_group_range', 'net.ipv4.ip_local_reserved_ports'];
const SELINUX_TYPES = ['', 'container_t', 'container_init_t', 'container_kvm_t'];
/** Volume types "restricted" allows. */
const RESTRICTED_VOLUMES = ['configMap', 'csi', 'downwardAPI', 'emptyDir', 'ephemeral', 'persistentVolumeClaim', 'projected', 'secret'];
const SECCOMP_CONFINED = ['RuntimeDefault', 'Localhost'];

/**
 * The fields of a pod spec that break Pod Security `level` (`restricted`, `baseline`,
 * `privileged`), each as "where: field is value, which ... forbids".
 */
export function podSecurityViolations(spec: any, level: string, podId: string): string[] {
  if (level === 'privileged' || !spec) return [];
  const restricted = level === 'restricted';
  const found: string[] = [];
  const forbid = (where: string, field: string, value: unknown, rule: string) => found.push(`${where}: '${field}' is `
    + `${JSON.stringify(value)}, which Pod Security "${level}" forbids (${rule})`);
  const pod = `pod of ${podId}`;
  for (const field of HOST_NAMESPACES) {
    if (spec[field] === true) forbid(pod, field, true, 'no host namespaces');
  }
  const podContext = spec.securityContext ?? {};
  for (const sysctl of podContext.sysctls ?? []) {
    if (!SAFE_SYSCTLS.includes(sysctl.name)) forbid(pod, 'securityContext.sysctls', sysctl.name, `only ${SAFE_SYSCTLS.join(', ')}`);
  }
  for (const volume of spec.volumes ?? []) {
    const type = Object.keys(volume).find(key => key !== 'name');
    if (type === 'hostPath') forbid(pod, `volumes[${volume.name}].hostPath`, volume.hostPath?.path, 'no hostPath volumes');
    else if (restricted && type !== undefined && !RESTRICTED_VOLUMES.includes(type)) {
      forbid(pod, `volumes[${volume.name}]`, type, `only ${RESTRICTED_VOLUMES.join(', ')} volumes`);
    }
  }
  checkSeLinux(pod, 'securityContext', podContext, forbid);
  if (podContext.seccompProfile?.type === 'Unconfined') forbid(pod, 'securityContext.seccompProfile.type', 'Unconfined', 'no unconfined seccomp profile');
  if (podContext.windowsOptions?.hostProcess === true) forbid(pod, 'securityContext.windowsOptions.hostProcess', true, 'no host processes');

  for (const [kind, field] of CONTAINER_FIELDS) {
    for (const container of spec[field] ?? []) checkContainer(kind, container);
  }
  return found;

  function checkContainer(kind: string, container: any): void {
    const where = `${kind} ${container.name} of ${podId}`;
    const context = container.securityContext ?? {};
    if (context.privileged === true) forbid(where, 'securityContext.privileged', true, 'no privileged containers');
    for (const port of container.ports ?? []) {
      if (port.hostPort) forbid(where, 'ports.hostPort', port.hostPort, 'no host ports');
    }
    const allowedCapabilities = restricted ? RESTRICTED_CAPABILITIES : BASELINE_CAPABILITIES;
    for (const capability of context.capabilities?.add ?? []) {
      if (!allowedCapabilities.includes(capability)) {
        forbid(where, 'securityContext.capabilities.add', capability, `only ${allowedCapabilities.join(', ')} may be added`);
      }
    }
    checkSeLinux(where, 'securityContext', context, forbid);
    if (context.procMount !== undefined && context.procMount !== 'Default') {
      forbid(where, 'securityContext.procMount', context.procMount, 'only the Default proc mount');
    }
    const seccomp = context.seccompProfile?.type;
    if (seccomp === 'Unconfined') forbid(where, 'securityContext.seccompProfile.type', seccomp, 'no unconfined seccomp profile');
    if (context.windowsOptions?.hostProcess === true) forbid(where, 'securityContext.windowsOptions.hostProcess', true, 'no host processes');
    if (!restricted) return;
    if (context.allowPrivilegeEscalation !== false) {
      forbid(where, 'securityContext.allowPrivilegeEscalation', context.allowPrivilegeEscalation, 'it must be false');
    }
    const runAsNonRoot = context.runAsNonRoot ?? podContext.runAsNonRoot;
    if (runAsNonRoot !== true) forbid(where, 'securityContext.runAsNonRoot', runAsNonRoot, 'it must be true, on the pod or the container');
    const runAsUser = context.runAsUser ?? podContext.runAsUser;
    if (runAsUser === 0) forbid(where, 'securityContext.runAsUser', 0, 'no root user');
    const profile = seccomp ?? podContext.seccompProfile?.type;
    if (!SECCOMP_CONFINED.includes(profile)) {
      forbid(where, 'securityContext.seccompProfile.type', profile, 'it must be RuntimeDefault or Localhost, on the pod or the container');
    }
    if (!(context.capabilities?.drop ?? []).includes('ALL')) {
      forbid(where, 'securityContext.capabilities.drop', context.capabilities?.drop, 'it must hold ALL');
    }
  }
}

/** The lists of containers of a pod spec, in the order their violations are reported. */
const CONTAINER_FIELDS = [['init container', 'initContainers'], ['container', 'containers'], ['ephemeral container', 'ephemeralContainers']];

type Forbid = (where: string, field: string, value: unknown, rule: string) => void;

function checkSeLinux(where: string, path: string, context: any, forbid: Forbid): void {
  const options = context.seLinuxOptions;
  if (!options) return;
  if (options.type !== undefined && !SELINUX_TYPES.includes(options.type)) {
    forbid(where, `${path}.seLinuxOptions.type`, options.type, 'only container_t, container_init_t or container_kvm_t');
  }
  for (const field of ['user', 'role']) {
    if (options[field]) forbid(where, `${path}.seLinuxOptions.${field}`, options[field], 'no custom SELinux user or role');
  }
}

/** A PodDisruptionBudget of the chart, as rendered. */
export interface RenderedBudget {
  readonly id: string;
  readonly namespace: string;
  readonly selector: any;
  readonly minAvailable?: number | string;
  readonly maxUnavailable?: number | string;
}

/** Reads a PodDisruptionBudget. */
export function renderedBudget(manifest: any): RenderedBudget {
  return {
    id: `PodDisruptionBudget ${manifest.metadata?.name}`,
    namespace: manifest.metadata?.namespace ?? '',
    selector: manifest.spec?.selector ?? {},
    minAvailable: manifest.spec?.minAvailable,
    maxUnavailable: manifest.spec?.maxUnavailable,
  };
}

/** A Deployment of a construct: its pods, namespace and the fewest pods it runs. */
export interface BudgetedDeployment {
  readonly pods: PodSource;
  readonly namespace: string;
  /** `spec.replicas`; under an autoscaler its `minReplicas`; else 1, as the API defaults it. */
  readonly fewestPods: number;
}

/**
 * The budgets covering each pod source: each budget's selector is evaluated once, through the
 * index, so that a chart of thousands of apps stays linear.
 */
export function budgetsByPods(budgets: RenderedBudget[], index: PodIndex): Map<PodSource, RenderedBudget[]> {
  const covering = new Map<PodSource, RenderedBudget[]>();
  for (const budget of budgets) {
    for (const pods of index.selectedBy(budget.selector)) {
      const list = covering.get(pods);
      if (list) list.push(budget);
      else covering.set(pods, [budget]);
    }
  }
  return covering;
}

/**
 * Budgets that cover a Deployment's pods together with another budget, and budgets that can never
 * allow a disruption of the Deployment at its fewest pods. `covering` is from `budgetsByPods`.
 */
export function checkBudgets(deployment: BudgetedDeployment, coveringAll: Map<PodSource, RenderedBudget[]>,
  fail: (message: string) => void): void {
  const id = deployment.pods.id;
  const covering = (coveringAll.get(deployment.pods) ?? []).filter(b => b.namespace === deployment.namespace);
  if (covering.length > 1) {
    fail(`${covering.map(b => b.id).join(' and ')} both select the pods of ${id}: the eviction API refuses to evict a pod `
      + 'that two budgets cover, so every drain of their nodes stalls; keep one budget per Deployment');
  }
  const count = deployment.fewestPods;
  for (const budget of covering) {
    if (count === 0 || allowedDisruptions(budget, count) > 0) continue;
    const rule = budget.minAvailable !== undefined ? `minAvailable ${JSON.stringify(budget.minAvailable)}`
      : `maxUnavailable ${JSON.stringify(budget.maxUnavailable)}`;
    fail(`${budget.id} (${rule}) allows no disruption of ${id} at its ${count} pod(s): every drain of their nodes would `
      + 'stall until someone deletes the budget; use DisruptionBudget.maxUnavailable(...) of 1 or more, or a lower minAvailable');
  }
}

/** How many of `count` healthy pods the budget lets the eviction API take, as the disruption controller computes it. */
function allowedDisruptions(budget: RenderedBudget, count: number): number {
  const scaled = (value: number | string) => (typeof value === 'number' ? value
    : Math.ceil((parseInt(value, 10) * count) / 100));
  if (budget.minAvailable !== undefined) return Math.max(0, count - scaled(budget.minAvailable));
  if (budget.maxUnavailable !== undefined) return scaled(budget.maxUnavailable);
  return count;
}

/** A HorizontalPodAutoscaler of a Deployment, as rendered. */
export interface RenderedAutoscaler {
  readonly id: string;
  readonly minReplicas: number;
  /** The resources it targets by utilization, which is a share of the containers' requests. */
  readonly utilizationOf: string[];
}

export function renderedAutoscaler(manifest: any): RenderedAutoscaler {
  return {
    id: `HorizontalPodAutoscaler ${manifest.metadata?.name}`,
    minReplicas: manifest.spec?.minReplicas ?? 1,
    utilizationOf: (manifest.spec?.metrics ?? [])
      .filter((m: any) => m.type === 'Resource' && m.resource?.target?.type === 'Utilization')
      .map((m: any) => m.resource.name),
  };
}

/** What the autoscaler checks read of a Deployment. */
export interface AutoscaledDeployment {
  readonly id: string;
  readonly replicas?: number;
  readonly containers: Array<{ readonly name: string; readonly resources?: any }>;
}

/**
 * A Deployment under an autoscaler that states `spec.replicas` (every apply would reset the count
 * the autoscaler chose), and containers without the request a utilization target is a share of
 * (a limit alone counts: the API server defaults the request to it).
 */
export function autoscalerProblems(deployment: AutoscaledDeployment, autoscaler: RenderedAutoscaler): string[] {
  const problems: string[] = [];
  if (deployment.replicas !== undefined) {
    problems.push(`${deployment.id} states spec.replicas (${JSON.stringify(deployment.replicas)}) although ${autoscaler.id} `
      + 'scales it: every apply would reset the count the autoscaler chose; leave spec.replicas out');
  }
  for (const resource of autoscaler.utilizationOf) {
    for (const container of deployment.containers) {
      const { requests, limits } = container.resources ?? {};
      if (requests?.[resource] !== undefined || limits?.[resource] !== undefined) continue;
      problems.push(`${autoscaler.id} targets ${resource} utilization, but container ${container.name} of ${deployment.id} `
        + `has no ${resource} request: the autoscaler cannot compute the utilization and never scales; give the container `
        + `a ${resource} request in 'resources'`);
    }
  }
  return problems;
}
