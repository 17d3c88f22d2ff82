/**
 * `npm run environments [-- --json]`: the environments of stacks/environments.ts as a table, or as
 * the JSON the workflows compute their matrices from (scripts/lib/environment-list.ts), after the
 * checks synth runs. Exit 0; 2 after a wrong option; 1 after anything synth would refuse (every
 * problem once, as the synth prints it, with the file to edit).
 */
import { environmentsCommand } from "./lib/environment-list";
import { runCommand } from "./lib/run-command";

runCommand(() =>
  environmentsCommand(process.argv.slice(2), {
    stdout: (text) => process.stdout.write(text),
    stderr: (text) => process.stderr.write(text),
  }),
);
