/**
 * `npm run environments [-- --json]`: the environments of stacks/environments.ts as a table, or as
 * the JSON the workflows compute their matrices from (scripts/lib/environment-list.ts). Exit 0; 2
 * after a wrong option; 1 after a wrong setting (its message once, as the synth prints it).
 */
import { environmentsCommand } from "./lib/environment-list";

try {
  process.exitCode = environmentsCommand(process.argv.slice(2), {
    stdout: (text) => process.stdout.write(text),
    stderr: (text) => process.stderr.write(text),
  });
} catch (error) {
  // The shared ending of the app's commands (a wrong setting's message with the file to edit, a bug's
  // mapped stack), loaded only on a failure: it imports cdktf, which would double every start.
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const { runCommand } = require("./lib/run-command") as typeof import("./lib/run-command");
  runCommand(() => {
    throw error;
  });
}
