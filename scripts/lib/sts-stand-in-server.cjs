#!/usr/bin/env node
/**
 * A stand-in for AWS STS on loopback, for offline `terraform plan` only: it answers
 * `GetCallerIdentity` (what the stacks' `data.aws_caller_identity` asks at plan time) with a fixed
 * test account, and refuses every other action. Prints `{"port":<port>}` on its first stdout line
 * (and writes it to `--port-file <path>` when given, for a caller that cannot read a pipe while it
 * waits), and exits when its stdin closes, so it never outlives the process that started it.
 *
 *   node scripts/lib/sts-stand-in-server.cjs [account-id] [--port-file <path>]   # then AWS_ENDPOINT_URL_STS=http://127.0.0.1:<port>
 */
"use strict";
const { writeFileSync } = require("fs");
const { createServer } = require("http");

const args = process.argv.slice(2);
const portFileAt = args.indexOf("--port-file");
const portFile = portFileAt >= 0 ? args.splice(portFileAt, 2)[1] : undefined;
const account = args[0] || "123456789012";
if (!/^\d{12}$/.test(account)) {
  process.stderr.write(`sts-stand-in: the account id must be 12 digits; got \`${account}\`\n`);
  process.exit(2);
}

const server = createServer((request, response) => {
  let body = "";
  request.on("data", (chunk) => (body += chunk));
  request.on("end", () => {
    const action = new URLSearchParams(body).get("Action");
    response.setHeader("content-type", "text/xml");
    if (request.method !== "POST" || action !== "GetCallerIdentity") {
      response.statusCode = 400;
      response.end(
        `<ErrorResponse><Error><Type>Sender</Type><Code>InvalidAction</Code><Message>the offline STS stand-in answers GetCallerIdentity only; got ${String(action)}</Message></Error><RequestId>offline</RequestId></ErrorResponse>`,
      );
      return;
    }
    response.end(
      `<GetCallerIdentityResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/"><GetCallerIdentityResult>` +
        `<Arn>arn:aws:iam::${account}:user/offline-plan</Arn><UserId>AIDAOFFLINEPLAN</UserId><Account>${account}</Account>` +
        `</GetCallerIdentityResult><ResponseMetadata><RequestId>offline</RequestId></ResponseMetadata></GetCallerIdentityResponse>`,
    );
  });
});

server.listen(0, "127.0.0.1", () => {
  const line = `${JSON.stringify({ port: server.address().port })}\n`;
  if (portFile) writeFileSync(portFile, line);
  process.stdout.write(line);
});
process.stdin.on("end", () => process.exit(0));
process.stdin.on("error", () => process.exit(0));
process.stdin.resume();
