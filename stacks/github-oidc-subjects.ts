/**
 * The GitHub OIDC subjects (`sub` claims) the bootstrap's roles trust, and the workflow files whose
 * jobs carry them, in one place: the bootstrap builds the roles' trust from here, and the workflow
 * tests may import it to check that each role's variable is used only by the job whose subject the
 * role trusts. Plain TypeScript, no cdktf import.
 *
 * The repository's subject template is customised to `include_claim_keys: ["repo", "context",
 * "job_workflow_ref"]` (`subjectTemplateCommand` sets it). GitHub's documentation
 * (docs.github.com, "OpenID Connect" reference, "Example: Requiring a reusable workflow and other
 * claims") gives that template's `sub` as
 * `repo:ORG-NAME/REPO-NAME:environment:ENVIRONMENT-NAME:job_workflow_ref:REUSABLE-WORKFLOW-PATH`, e.g.
 * `repo:octo-org/octo-repo:environment:prod:job_workflow_ref:octo-org/octo-automation/.github/workflows/oidc.yml@refs/heads/main`,
 * where `context` is "the part that follows the repository in the default `sub` format":
 * `environment:<name>` for a job that names a GitHub environment, else `pull_request` for a
 * pull_request event, else `ref:<git ref>` (the default subjects of the same page). `job_workflow_ref`
 * is, "for jobs using a reusable workflow, the ref path to the reusable workflow" (the claims table),
 * and a job of a workflow that is not called has its own workflow there. A reusable workflow called
 * from the same repository with `./.github/workflows/<file>` "is from the same commit as the caller
 * workflow" (docs.github.com, "Reuse workflows"), so its ref is the caller's: `@refs/heads/main` when
 * `deploy.yml` runs on a push to main, `@refs/pull/<number>/merge` for a pull request.
 *
 * So each subject below names the repository, the kind of run (GitHub environment, pull request or
 * branch) and the exact workflow file at its ref: a workflow added on a branch, or a job of another
 * workflow that names the same GitHub environment, carries another subject and is refused.
 */

/** The pull request workflow: plans every environment read-only and reviews the plans. */
export const PR_WORKFLOW = "pr.yml";
/** The reusable workflow `deploy.yml` calls once per stage: a plan job, then an apply job per environment. */
export const DEPLOY_WORKFLOW = "deploy-stage.yml";
/** The drift workflow (schedule and workflow_dispatch on main): plans every environment read-only. */
export const DRIFT_WORKFLOW = "drift.yml";

/** The branch deploys and drift checks run from. */
export const DEPLOY_BRANCH = "main";

/** The claim keys of the repository's subject template, in the order GitHub joins them. */
export const SUBJECT_CLAIM_KEYS = ["repo", "context", "job_workflow_ref"] as const;

/** The one wildcard the trust allows: the pull request's number in `refs/pull/<number>/merge`. */
export const PULL_REQUEST_NUMBER_WILDCARD = "*";

/** `<owner>/<repo>/.github/workflows/<file>@<ref>`: a `job_workflow_ref` claim. */
export function jobWorkflowRef(repository: string, workflowFile: string, ref: string): string {
  return `${repository}/.github/workflows/${workflowFile}@${ref}`;
}

/** `refs/heads/main`. */
export const DEPLOY_REF = `refs/heads/${DEPLOY_BRANCH}`;

/**
 * The deploy role's one subject: the apply job of `deploy-stage.yml`, called from `deploy.yml` on a
 * push to main, running in the GitHub environment `<environment>`.
 */
export function deploySubject(repository: string, environment: string): string {
  return `repo:${repository}:environment:${environment}:job_workflow_ref:${jobWorkflowRef(repository, DEPLOY_WORKFLOW, DEPLOY_REF)}`;
}

/**
 * The plan role's pull request subject, an IAM `StringLike` pattern whose only wildcard is the pull
 * request's number: the plan job of `pr.yml`, run for a pull request (`refs/pull/<number>/merge`).
 */
export function pullRequestPlanSubject(repository: string): string {
  return `repo:${repository}:pull_request:job_workflow_ref:${jobWorkflowRef(repository, PR_WORKFLOW, `refs/pull/${PULL_REQUEST_NUMBER_WILDCARD}/merge`)}`;
}

/** The plan role's subject for the plan job of `deploy-stage.yml` on main (no GitHub environment: no approval to plan). */
export function deployPlanSubject(repository: string): string {
  return `repo:${repository}:ref:${DEPLOY_REF}:job_workflow_ref:${jobWorkflowRef(repository, DEPLOY_WORKFLOW, DEPLOY_REF)}`;
}

/** The plan role's subject for the drift job of `drift.yml` on main (schedule or workflow_dispatch). */
export function driftSubject(repository: string): string {
  return `repo:${repository}:ref:${DEPLOY_REF}:job_workflow_ref:${jobWorkflowRef(repository, DRIFT_WORKFLOW, DEPLOY_REF)}`;
}

/** What a role's trust compares the token's `sub` with: exact values (`StringEquals`), and patterns (`StringLike`). */
export interface TrustedSubjects {
  /** Compared with `StringEquals`. */
  readonly exact: readonly string[];
  /** Compared with `StringLike`: only `pullRequestPlanSubject`'s form, whose one `*` is the pull request's number. */
  readonly patterns: readonly string[];
}

/** The deploy role of `environment` trusts one subject. */
export function deployRoleSubjects(repository: string, environment: string): TrustedSubjects {
  return { exact: [deploySubject(repository, environment)], patterns: [] };
}

/** The plan role of every environment trusts the three read-only jobs. */
export function planRoleSubjects(repository: string): TrustedSubjects {
  return { exact: [deployPlanSubject(repository), driftSubject(repository)], patterns: [pullRequestPlanSubject(repository)] };
}

/**
 * True when `pattern` is a pull request subject whose only wildcard is the pull request's number
 * (what a trust may compare with `StringLike`): `repo:<r>:pull_request:job_workflow_ref:<r>/.github/workflows/<file>@refs/pull/*\/merge`,
 * with no other `*` or `?`.
 */
export function isPullRequestSubjectPattern(pattern: string): boolean {
  const match = /^repo:([^*?:]+):pull_request:job_workflow_ref:([^*?:@]+)\/\.github\/workflows\/([^*?/@]+)@refs\/pull\/\*\/merge$/.exec(pattern);
  return match !== null && match[1] === match[2];
}

/** The request body of GitHub's "Set the customization template for an OIDC subject claim for a repository". */
export const SUBJECT_TEMPLATE = { use_default: false, include_claim_keys: [...SUBJECT_CLAIM_KEYS] } as const;

/**
 * The `gh` command that sets the repository's subject template (REST API: PUT
 * /repos/{owner}/{repo}/actions/oidc/customization/sub; a repository administrator's token). Until it
 * runs, GitHub sends the default `sub` (`repo:<r>:environment:<env>`), which no role trusts.
 */
export function subjectTemplateCommand(repository: string): string {
  const keys = SUBJECT_TEMPLATE.include_claim_keys.map((key) => `-f 'include_claim_keys[]=${key}'`).join(" ");
  return `gh api --method PUT repos/${repository}/actions/oidc/customization/sub -F use_default=false ${keys}`;
}
