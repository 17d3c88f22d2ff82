/**
 * TEMPORARY copy of the subject builders agreed between the helpers (COMMON interface 1), which
 * stacks/github-oidc-subjects.ts (issue 23) exports under the same names: the workflow tests import
 * them from here until that module is on main, then from there, and this file goes.
 */
export const PR_WORKFLOW = "pr.yml";
export const DEPLOY_WORKFLOW = "deploy-stage.yml";
export const DRIFT_WORKFLOW = "drift.yml";
export const DEPLOY_REF = "refs/heads/main";

export function jobWorkflowRef(repository: string, workflowFile: string, ref: string): string {
  return `${repository}/.github/workflows/${workflowFile}@${ref}`;
}
export function deploySubject(repository: string, environment: string): string {
  return `repo:${repository}:environment:${environment}:job_workflow_ref:${jobWorkflowRef(repository, DEPLOY_WORKFLOW, DEPLOY_REF)}`;
}
export function pullRequestPlanSubject(repository: string): string {
  return `repo:${repository}:pull_request:job_workflow_ref:${jobWorkflowRef(repository, PR_WORKFLOW, "refs/pull/*/merge")}`;
}
export function deployPlanSubject(repository: string): string {
  return `repo:${repository}:ref:${DEPLOY_REF}:job_workflow_ref:${jobWorkflowRef(repository, DEPLOY_WORKFLOW, DEPLOY_REF)}`;
}
export function driftSubject(repository: string): string {
  return `repo:${repository}:ref:${DEPLOY_REF}:job_workflow_ref:${jobWorkflowRef(repository, DRIFT_WORKFLOW, DEPLOY_REF)}`;
}
