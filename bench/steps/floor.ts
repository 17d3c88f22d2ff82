/** `node -e 0`: the start of a bare node process, the unit the other figures are compared with. */
import { BenchContext } from "../lib/context";
import { measureProcess, processResult, ProcessResult, repeat } from "../lib/measure";

export function measureFloor(context: BenchContext): ProcessResult {
  context.log("node -e 0 floor");
  return processResult(repeat(context.runs(10, 5), 2, () => measureProcess(process.execPath, ["-e", "0"])));
}
