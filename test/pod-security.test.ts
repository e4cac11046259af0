// Pod Security: the default pods meet "restricted", as a namespace labelled
// pod-security.kubernetes.io/enforce: restricted would admit them, and every violation an escape
// hatch brings in is refused at synth time, naming the container and the field.
import { ApiObject, Chart, JsonPatch } from 'cdk8s';
import * as kplus from 'cdk8s-plus-27';
import { BlueGreenApp, CanaryApp, PodSecurityLevel, RampedApp, RampedAppProps, RecreateApp, Slot, TrafficRouter } from '../lib';
import { errorOf, find, newChart, synth, validateChart } from './util';

const web: RampedAppProps = { image: 'registry.example.com/shop/web:1.4.0', port: 8080, name: 'web' };

function checkErrors(chart: Chart): string[] {
  return errorOf(() => validateChart(chart)).split('\n').slice(1).map(line => line.trim());
}

/** A RampedApp whose Deployment gets `patches` through the escape hatch. */
function patched(level: PodSecurityLevel | undefined, ...patches: JsonPatch[]): Chart {
  const chart = newChart();
  const app = new RampedApp(chart, 'web', { ...web, podSecurity: level });
  ApiObject.of(app.deployment).addJsonPatch(...patches);
  return chart;
}

const container = '/spec/template/spec/containers/0/securityContext';
const pod = '/spec/template/spec/securityContext';

test('the default pods of every construct meet "restricted", with the fields cdk8s-plus cannot write', () => {
  // GIVEN
  const chart = newChart();
  // WHEN
  new RecreateApp(chart, 'worker', { image: 'worker:1', port: 8080 });
  new RampedApp(chart, 'web', web);
  new BlueGreenApp(chart, 'api', { port: 8080, blue: { image: 'api:1' }, green: { image: 'api:2' }, activeSlot: Slot.BLUE });
  new CanaryApp(chart, 'search', {
    port: 8080, stable: { image: 's:1' }, canary: { image: 's:2' }, canaryWeight: 10, trafficRouter: TrafficRouter.istio(),
  });
  // THEN: the checks for "restricted" pass, and the patched fields survive synthesis
  const deployments = synth(chart).filter(m => m.kind === 'Deployment');
  expect(deployments).toHaveLength(6);
  for (const deployment of deployments) {
    const spec = deployment.spec.template.spec;
    expect(spec.securityContext.seccompProfile).toStrictEqual({ type: 'RuntimeDefault' });
    expect(spec.securityContext.runAsNonRoot).toBe(true);
    expect(spec.containers[0].securityContext).toMatchObject({ allowPrivilegeEscalation: false, capabilities: { drop: ['ALL'] } });
  }
});

test('NET_BIND_SERVICE may be added under "restricted", and every other capability stays dropped', () => {
  // WHEN
  const chart = newChart();
  new RampedApp(chart, 'web', { ...web, securityContext: { capabilities: { add: [kplus.Capability.NET_BIND_SERVICE] } } });
  // THEN
  expect(find(synth(chart), 'Deployment', 'web').spec.template.spec.containers[0].securityContext.capabilities)
    .toStrictEqual({ add: ['NET_BIND_SERVICE'], drop: ['ALL'] });
});

const where = 'container app of Deployment web';
const fix = 'a namespace enforcing it refuses the pods; change the field, or set \'podSecurity\' to a level that allows it';

test.each<[string, JsonPatch, string]>([
  ['privilege escalation', JsonPatch.replace(`${container}/allowPrivilegeEscalation`, true),
    `${where}: 'securityContext.allowPrivilegeEscalation' is true, which Pod Security "restricted" forbids (it must be false)`],
  ['root allowed', JsonPatch.replace(`${container}/runAsNonRoot`, false),
    `${where}: 'securityContext.runAsNonRoot' is false, which Pod Security "restricted" forbids (it must be true, on the pod or the container)`],
  ['root user', JsonPatch.add(`${container}/runAsUser`, 0),
    `${where}: 'securityContext.runAsUser' is 0, which Pod Security "restricted" forbids (no root user)`],
  ['no seccomp profile', JsonPatch.remove(`${pod}/seccompProfile`),
    `${where}: 'securityContext.seccompProfile.type' is undefined, which Pod Security "restricted" forbids (it must be `
    + 'RuntimeDefault or Localhost, on the pod or the container)'],
  ['capabilities not dropped', JsonPatch.replace(`${container}/capabilities/drop`, ['NET_RAW']),
    `${where}: 'securityContext.capabilities.drop' is ["NET_RAW"], which Pod Security "restricted" forbids (it must hold ALL)`],
  ['a capability added', JsonPatch.add(`${container}/capabilities/add`, ['CHOWN']),
    `${where}: 'securityContext.capabilities.add' is "CHOWN", which Pod Security "restricted" forbids (only NET_BIND_SERVICE may be added)`],
  ['an emptyDir is fine but a gitRepo volume is not', JsonPatch.add('/spec/template/spec/volumes', [{ name: 'src', gitRepo: { repository: 'x' } }]),
    'pod of Deployment web: \'volumes[src]\' is "gitRepo", which Pod Security "restricted" forbids (only configMap, csi, '
    + 'downwardAPI, emptyDir, ephemeral, persistentVolumeClaim, projected, secret volumes)'],
])('"restricted" refuses %s, naming the container and field', (_name, patch, message) => {
  expect(checkErrors(patched(undefined, patch))).toEqual([`[test] test/web: ${message}: ${fix}`]);
});

test.each<[string, JsonPatch, string]>([
  ['a privileged container', JsonPatch.replace(`${container}/privileged`, true),
    `${where}: 'securityContext.privileged' is true, which Pod Security "baseline" forbids (no privileged containers)`],
  ['the host network', JsonPatch.replace('/spec/template/spec/hostNetwork', true),
    'pod of Deployment web: \'hostNetwork\' is true, which Pod Security "baseline" forbids (no host namespaces)'],
  ['a hostPath volume', JsonPatch.add('/spec/template/spec/volumes', [{ name: 'root', hostPath: { path: '/' } }]),
    'pod of Deployment web: \'volumes[root].hostPath\' is "/", which Pod Security "baseline" forbids (no hostPath volumes)'],
  ['a host port', JsonPatch.add('/spec/template/spec/containers/0/ports/0/hostPort', 80),
    `${where}: 'ports.hostPort' is 80, which Pod Security "baseline" forbids (no host ports)`],
  ['an unconfined seccomp profile', JsonPatch.replace(`${pod}/seccompProfile/type`, 'Unconfined'),
    'pod of Deployment web: \'securityContext.seccompProfile.type\' is "Unconfined", which Pod Security "baseline" forbids '
    + '(no unconfined seccomp profile)'],
  ['a capability beyond the defaults', JsonPatch.add(`${container}/capabilities/add`, ['NET_ADMIN']),
    `${where}: 'securityContext.capabilities.add' is "NET_ADMIN", which Pod Security "baseline" forbids (only AUDIT_WRITE, `
    + 'CHOWN, DAC_OVERRIDE, FOWNER, FSETID, KILL, MKNOD, NET_BIND_SERVICE, SETFCAP, SETGID, SETPCAP, SETUID, SYS_CHROOT may be added)'],
  ['an unsafe sysctl', JsonPatch.add(`${pod}/sysctls`, [{ name: 'kernel.msgmax', value: '1' }]),
    'pod of Deployment web: \'securityContext.sysctls\' is "kernel.msgmax", which Pod Security "baseline" forbids (only '
    + 'kernel.shm_rmid_forced, net.ipv4.ip_local_port_range, net.ipv4.ip_unprivileged_port_start, net.ipv4.tcp_syncookies, '
    + 'net.ipv4.ping_group_range, net.ipv4.ip_local_reserved_ports)'],
])('"baseline" refuses %s', (_name, patch, message) => {
  expect(checkErrors(patched(PodSecurityLevel.BASELINE, patch))).toEqual([`[test] test/web: ${message}: ${fix}`]);
});

test('"baseline" accepts what only "restricted" forbids, and "privileged" accepts a privileged container', () => {
  // GIVEN
  const escalation = JsonPatch.replace(`${container}/allowPrivilegeEscalation`, true);
  const privileged = JsonPatch.replace(`${container}/privileged`, true);
  // THEN
  expect(() => validateChart(patched(PodSecurityLevel.BASELINE, escalation))).not.toThrow();
  expect(() => validateChart(patched(PodSecurityLevel.PRIVILEGED, escalation, privileged))).not.toThrow();
});

test('a container security context that allows root fails "restricted" at synth time', () => {
  // GIVEN
  const chart = newChart();
  // WHEN
  new RampedApp(chart, 'web', { ...web, securityContext: { ensureNonRoot: false }, podSecurityContext: { ensureNonRoot: false } });
  // THEN
  expect(checkErrors(chart)).toEqual([`[test] test/web: ${where}: 'securityContext.runAsNonRoot' is false, which Pod Security `
    + `"restricted" forbids (it must be true, on the pod or the container): ${fix}`]);
});

test('fails when podSecurity is not a level', () => {
  expect(errorOf(() => new RampedApp(newChart(), 'web', { ...web, podSecurity: 'strict' as PodSecurityLevel })))
    .toBe('test/web: \'podSecurity\' is "strict"; it must be PodSecurityLevel.RESTRICTED, BASELINE or PRIVILEGED');
});

test('a container added later through the escape hatch is checked too, and named', () => {
  // GIVEN
  const chart = newChart();
  const app = new RampedApp(chart, 'web', web);
  // WHEN
  app.deployment.addContainer({ name: 'proxy', image: 'proxy:1', securityContext: { allowPrivilegeEscalation: true } });
  // THEN
  expect(checkErrors(chart)).toEqual([
    '[test] test/web: container proxy of Deployment web: \'securityContext.allowPrivilegeEscalation\' is true, which Pod Security '
    + `"restricted" forbids (it must be false): ${fix}`,
    '[test] test/web: container proxy of Deployment web: \'securityContext.capabilities.drop\' is undefined, which Pod Security '
    + `"restricted" forbids (it must hold ALL): ${fix}`,
  ]);
});
