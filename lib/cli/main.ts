#!/usr/bin/env node
// The `cdk8s-deployment-strategies` command: `plan` shows what the Deployment controller will do
// during a rolling update; `diff` checks the move from the manifests that run to the next ones.
import * as fs from 'fs';
import { CliIo, UsageError } from './common';
import { diff, DIFF_USAGE } from './diff';
import { plan, PLAN_USAGE } from './plan';

export type { CliIo } from './common';

const USAGE = `Usage: ${PLAN_USAGE}\nUsage: ${DIFF_USAGE}`;

const COMMANDS: Record<string, (args: string[], io: CliIo) => number> = { plan, diff };

/** Runs the command; returns the exit code: 0 done, 2 bad usage or value. */
export function main(argv: string[], io: CliIo): number {
  try {
    if (argv.includes('--help') || argv.includes('-h')) {
      io.stdout(USAGE);
      return 0;
    }
    const [command, ...rest] = argv;
    const run = command === undefined ? undefined : COMMANDS[command];
    if (run === undefined) {
      throw new UsageError(command === undefined ? 'missing command: the commands are plan and diff'
        : `unknown command ${JSON.stringify(command)}: the commands are plan and diff`);
    }
    return run(rest, io);
  } catch (e) {
    if (!(e instanceof UsageError)) throw e;
    io.stderr(`error: ${e.message}\nRun 'cdk8s-deployment-strategies --help' for the options.\n`);
    return 2;
  }
}

if (require.main === module) {
  process.exitCode = main(process.argv.slice(2), {
    stdout: text => process.stdout.write(text),
    stderr: text => process.stderr.write(text),
    writeFile: (path, content) => fs.writeFileSync(path, content),
  });
}
