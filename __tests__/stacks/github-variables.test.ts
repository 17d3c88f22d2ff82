import { planRoleVariable } from "../../stacks/github-variables";

test("the plan role variable of an environment: upper case, - as _ (GitHub variable names allow no -)", () => {
  expect(planRoleVariable("dev")).toBe("BANDUP_PLAN_ROLE_ARN_DEV");
  expect(planRoleVariable("eu-prod")).toBe("BANDUP_PLAN_ROLE_ARN_EU_PROD");
});
