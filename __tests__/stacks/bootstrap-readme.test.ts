/**
 * docs/deploying.md's `gh variable set` commands (step 4 of the empty account's walk) are the bootstrap's own
 * `gh-variable-commands` output, resolved for the doc's example: account 123456789012, repository
 * my-org/bandup-infra, the design's three environments as ENVIRONMENTS sets them (an environment added
 * by the docs' recipe adds its own two lines to the real output, not to the example). A renamed
 * variable, role or output makes this fail.
 */
import { Testing } from "cdktf";
import { buildBandupApp } from "../../stacks/app";
import { readDoc } from "../support/docs";
import { TerraformJson } from "../support/synth";
import { designSettings } from "../support/environment-cases";

const ACCOUNT = "123456789012";
const REPOSITORY = "my-org/bandup-infra";

function docBlock(): string[] {
  const doc = readDoc("docs/deploying.md");
  const match = /<!-- BEGIN bootstrap gh commands[^>]*-->\s*```bash\n([\s\S]*?)```\s*<!-- END bootstrap gh commands -->/.exec(doc);
  if (!match) throw new Error("docs/deploying.md has no bootstrap gh commands block");
  return match[1].split("\n").map((line) => line.trim()).filter((line) => line !== "");
}

test("docs/deploying.md's gh commands are the bootstrap's output for its example account and repository", () => {
  const { bootstrap } = buildBandupApp({ app: Testing.app(), backend: { type: "local" }, environments: designSettings() });
  const json: TerraformJson = JSON.parse(Testing.synth(bootstrap));
  const roles: Record<string, TerraformJson> = json.resource.aws_iam_role;
  const resolve = (text: string): string =>
    text
      .replace(/\$\{data\.aws_caller_identity\.caller-identity\.account_id\}/g, ACCOUNT)
      .replace(/\$\{var\.github_repository\}/g, REPOSITORY)
      .replace(/\$\{aws_iam_role\.([^.]+)\.arn\}/g, (_, name: string) => `arn:aws:iam::${ACCOUNT}:role/${roles[name].name}`);
  const commands: string[] = json.output["gh-variable-commands"].value.map(resolve);
  expect(commands.every((c) => !c.includes("${"))).toBe(true);
  expect(docBlock()).toEqual(commands);
});
