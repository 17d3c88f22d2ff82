/**
 * A local stand-in for SSM Parameter Store on 127.0.0.1, for the built-zip tests: nothing else here
 * speaks SSM, and the zips must be run with environment variables only (`AWS_ENDPOINT_URL_SSM`).
 * It answers the one call the functions make, `AmazonSSM.GetParameter`, in the AWS JSON 1.1 protocol
 * the SDK's SSM client uses, from the parameters it was given; with `{ writable: true }`, also
 * `AmazonSSM.PutParameter` (what an administrator runs to create the model API key: the AWS CLI's
 * `aws ssm put-parameter`), refusing an existing name without `Overwrite` as SSM does. Anything else
 * gets SSM's own error shape. Every request is recorded.
 *
 *   const ssm = useSsmStandIn({ "/bandup/dev/gemini-api-key": "key" });
 *   env.AWS_ENDPOINT_URL_SSM = ssm().url;
 */
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";

export interface SsmRequest {
  target: string;
  body: { Name?: string; WithDecryption?: boolean; Type?: string; Value?: string; Overwrite?: boolean };
}

export interface SsmStandIn {
  url: string;
  requests: SsmRequest[];
  /** What PutParameter stored, by name. */
  written: Record<string, { type: string; value: string }>;
}

const error = (type: string, message: string) => JSON.stringify({ __type: type, message });

/**
 * Registers beforeAll/afterAll hooks for the stand-in holding `parameters` (SecureStrings, by name;
 * a function is read on each request); returns an accessor.
 */
export function useSsmStandIn(
  parameterValues: Readonly<Record<string, string>> | (() => Readonly<Record<string, string>>),
  options: { readonly writable?: boolean } = {},
): () => SsmStandIn {
  let server: Server | undefined;
  let state: SsmStandIn | undefined;

  beforeAll(async () => {
    const requests: SsmRequest[] = [];
    const written: SsmStandIn["written"] = {};
    server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on("data", (chunk: Buffer) => chunks.push(chunk));
      req.on("end", () => {
        const target = String(req.headers["x-amz-target"] ?? "");
        const given = typeof parameterValues === "function" ? parameterValues() : parameterValues;
        const parameters: Record<string, string> = { ...given, ...Object.fromEntries(Object.entries(written).map(([name, p]) => [name, p.value])) };
        let body: SsmRequest["body"] = {};
        try {
          body = JSON.parse(Buffer.concat(chunks).toString("utf8") || "{}");
        } catch {
          // Recorded as an empty body; answered below as a bad request.
        }
        requests.push({ target, body });
        const reply = (status: number, text: string) => {
          res.writeHead(status, { "content-type": "application/x-amz-json-1.1" });
          res.end(text);
        };
        if (req.method === "POST" && target === "AmazonSSM.PutParameter" && options.writable) {
          const name = body.Name ?? "";
          if (name in parameters && body.Overwrite !== true) {
            reply(400, error("ParameterAlreadyExists", "The parameter already exists. To overwrite this value, set the overwrite option in the request to true."));
            return;
          }
          written[name] = { type: body.Type ?? "String", value: body.Value ?? "" };
          reply(200, JSON.stringify({ Version: 1, Tier: "Standard" }));
          return;
        }
        if (req.method !== "POST" || target !== "AmazonSSM.GetParameter") {
          reply(400, error("InvalidAction", `the SSM stand-in answers AmazonSSM.GetParameter only, not ${req.method} ${target}`));
          return;
        }
        const name = body.Name ?? "";
        if (!(name in parameters)) {
          reply(400, error("ParameterNotFound", `Parameter ${name} not found.`));
          return;
        }
        reply(
          200,
          JSON.stringify({
            Parameter: {
              Name: name,
              Type: "SecureString",
              // A SecureString comes back decrypted only when asked; Lambda code always asks.
              Value: body.WithDecryption === true ? parameters[name] : "AQICAHencrypted==",
              Version: 1,
              DataType: "text",
              LastModifiedDate: 1733644800,
              ARN: `arn:aws:ssm:us-east-1:123456789012:parameter${name}`,
            },
          }),
        );
      });
    });
    await new Promise<void>((resolve) => server!.listen(0, "127.0.0.1", resolve));
    state = { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, requests, written };
  });

  afterAll(async () => {
    if (server) await new Promise<void>((resolve) => server!.close(() => resolve()));
  });

  return () => {
    if (!state) throw new Error("the SSM stand-in is not started: call it inside a test or hook");
    return state;
  };
}
