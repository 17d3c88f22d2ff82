/**
 * The offline STS stand-in that answers the stacks' `data.aws_caller_identity` during offline plans
 * (the terraform tests prove terraform reads it; this checks what it answers and refuses).
 */
import { OFFLINE_ACCOUNT_ID, startStsStandIn, startStsStandInSync, StsStandIn } from "../../scripts/lib/sts-stand-in";

let sts: StsStandIn;
beforeAll(async () => {
  sts = await startStsStandIn();
});
afterAll(() => sts.stop());

async function call(action: string): Promise<{ status: number; body: string }> {
  const response = await fetch(sts.endpoint, {
    method: "POST",
    headers: { "content-type": "application/x-www-form-urlencoded" },
    body: `Action=${action}&Version=2011-06-15`,
  });
  return { status: response.status, body: await response.text() };
}

test("answers GetCallerIdentity with the offline account", async () => {
  const { status, body } = await call("GetCallerIdentity");
  expect(status).toBe(200);
  expect(body).toContain(`<Account>${OFFLINE_ACCOUNT_ID}</Account>`);
  expect(body).toContain(`<Arn>arn:aws:iam::${OFFLINE_ACCOUNT_ID}:user/offline-plan</Arn>`);
});

test("refuses every other action, so a plan that needs more than the account fails loudly", async () => {
  const { status, body } = await call("AssumeRole");
  expect(status).toBe(400);
  expect(body).toContain("the offline STS stand-in answers GetCallerIdentity only; got AssumeRole");
});

test("refuses an account id that is not 12 digits", async () => {
  await expect(startStsStandIn("12345")).rejects.toThrow("the account id must be 12 digits; got `12345`");
});

test("starts synchronously too, for callers that block on terraform (the bench)", async () => {
  const standIn = startStsStandInSync();
  try {
    const response = await fetch(standIn.endpoint, { method: "POST", body: "Action=GetCallerIdentity&Version=2011-06-15" });
    expect(await response.text()).toContain(`<Account>${OFFLINE_ACCOUNT_ID}</Account>`);
  } finally {
    standIn.stop();
  }
});
