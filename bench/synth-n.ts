/**
 * Bench app: N generated environments (`bench1` ... `benchN`, every setting at its default), one
 * `BandupStack` each, wired as main.ts wires the real ones (guardrails checked before the synth),
 * synthesized into CDKTF_OUTDIR (or the second argument). Used by `npm run bench` for the chart of
 * synth time and memory against the number of stacks; the bench runs it as the real app runs:
 * compiled by esbuild with scripts/synth.cjs's options (bench/lib/compile.ts), then plain node.
 * By hand: `npx tsx bench/synth-n.ts 10 /tmp/out`.
 */
import { assertStacksValid } from "../guardrails/apply";
import { buildBandupApp } from "../stacks/app";

const count = Number(process.argv[2]);
if (!Number.isInteger(count) || count < 1) {
  throw new Error(`usage: synth-n <number of stacks >= 1> [outdir]; got \`${process.argv[2]}\``);
}
const outdir = process.argv[3] ?? process.env.CDKTF_OUTDIR;
if (!outdir) throw new Error("bench/synth-n.ts needs an output folder (second argument or CDKTF_OUTDIR): it never writes cdktf.out");

const environments = Object.fromEntries(Array.from({ length: count }, (_, i) => [`bench${i + 1}`, {}]));
const { app } = buildBandupApp({ environments, outdir, context: {} });
assertStacksValid(app);
app.synth();
