// Validates custom resources against their upstream schemas, as packaged by @kubernetes-models
// (ESM only, so this runs as its own process): reads a JSON array of objects on standard input and
// prints a JSON array of errors, one per object that is not valid.
import { readFileSync } from 'fs';

const PACKAGES = {
  'gateway.networking.k8s.io': '@kubernetes-models/gateway-api',
  'networking.istio.io': '@kubernetes-models/istio',
};

const objects = JSON.parse(readFileSync(0, 'utf8'));
const errors = [];
for (const object of objects) {
  const [group, version] = object.apiVersion.split('/');
  const pkg = PACKAGES[group];
  const where = `${object.kind} ${object.metadata?.name}`;
  if (!pkg) {
    errors.push(`${where}: no schema package for ${object.apiVersion}`);
    continue;
  }
  let Model;
  try {
    Model = (await import(`${pkg}/${group}/${version}/${object.kind}`))[object.kind];
  } catch (e) {
    errors.push(`${where}: no schema for ${object.apiVersion} ${object.kind} (${e.message})`);
    continue;
  }
  try {
    new Model(object).validate();
  } catch (e) {
    errors.push(`${where} is not valid: ${e.message}`);
  }
}
process.stdout.write(JSON.stringify(errors));
