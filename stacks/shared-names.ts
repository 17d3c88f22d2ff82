/**
 * What environments cannot share: the names AWS needs unique in an account and region (tables, the
 * tables a restore creates, the replicas' tables in their regions, functions, log groups, queues,
 * layers) or in an account (IAM roles), and an uploads bucket between a protected and an unprotected
 * environment. A check across environments: no schema of one environment's settings can say it.
 */
import { deadLetterQueueName, dependencyLayerName, functionLogGroupName, partitionOfRegion } from "../constructs/naming-rules";
import { FUNCTION_DEFINITIONS } from "../lambda-src/contract/function-definitions";
import { TABLE_DEFINITIONS } from "../lambda-src/contract/table-definitions";
import type { ResolvedEnvironment } from "./environments";

/** A name an environment gives one of its resources, and where AWS needs it unique. */
interface NamedResource {
  /** The setting that decides the name. */
  readonly field: string;
  readonly what: string;
  readonly name: string;
  /** `region`: unique in an account and region; `account`: unique in an account (IAM is global). */
  readonly scope: "region" | "account";
  /** The region the resource is in (its environment's, or a replica's). */
  readonly region: string;
  /** How to tell the two apart, when both names come from the same setting. */
  readonly fix: string;
  /** What it is, as the earlier of two: "a table of environment `dev`" unless said otherwise. */
  readonly of?: (environment: string) => string;
  /** What it is, as the later of two, after its name: "" unless said otherwise. */
  readonly note?: string;
}

/**
 * Every name an environment gives a resource AWS needs unique: its tables (except a retired original),
 * the table its restore creates, each table's replica in every replica region, and each function's
 * name, log group, dead-letter queue, layer and IAM role.
 */
function namedResources(environment: ResolvedEnvironment): NamedResource[] {
  const { region, restore } = environment;
  const resources: NamedResource[] = [];
  const replicaRegions = environment.replicas.map((replica) => replica.region);
  const table = (field: string, name: string, fix: string, of?: NamedResource["of"], note?: string): void => {
    resources.push({ field, what: "table", name, scope: "region", region, fix, of, note });
    for (const replicaRegion of replicaRegions) {
      resources.push({
        field: "replicaRegions",
        what: "table",
        name,
        scope: "region",
        region: replicaRegion,
        fix: "give one of them another `replicaRegions`",
        of: (env) => `a replica table of environment \`${env}\` (\`replicaRegions\`)`,
        note: ` (a replica in ${replicaRegion})`,
      });
    }
  };
  for (const definition of TABLE_DEFINITIONS) {
    const retired = restore?.table === definition.kind && restore.original === "retire";
    if (!retired) table(`tableNames.${definition.kind}`, environment.tableNames[definition.kind], `give one of them another \`tableNames.${definition.kind}\``);
  }
  if (restore !== undefined) {
    table(
      "restore.tableName",
      restore.tableName,
      "give one of them another `restore.tableName`",
      (env) => `the table the restore of environment \`${env}\` creates (\`restore.tableName\`)`,
      " (the table the restore creates)",
    );
  }
  for (const definition of FUNCTION_DEFINITIONS) {
    const { functionName } = environment.functions[definition.kind];
    const field = `functions.${definition.kind}`;
    const fix = "rename one of the environments: function names end with the environment's name (none in prod)";
    resources.push(
      { field, what: "Lambda function", name: functionName, scope: "region", region, fix },
      { field, what: "log group", name: functionLogGroupName(functionName), scope: "region", region, fix },
      { field, what: "dead-letter queue", name: deadLetterQueueName(functionName), scope: "region", region, fix },
      { field, what: "IAM role", name: functionName, scope: "account", region, fix },
    );
    if ((definition.layerPackages ?? []).length > 0) {
      resources.push({ field, what: "Lambda layer", name: dependencyLayerName(functionName), scope: "region", region, fix });
    }
  }
  return resources;
}

/**
 * What environments cannot share, each problem reported on the later of two environments (in the
 * order of the settings), naming the earlier one:
 * - the names of tables, functions, log groups, dead-letter queues and layers of environments in the
 *   same region, and of IAM roles of environments in the same partition, when they may be in the same
 *   account: the settings know an account only when both environments set `accountId`;
 * - an uploads bucket (S3 names are global in a partition) of a protected and an unprotected
 *   environment: each one's functions could read the other's users' files.
 */
export function sharedNameProblems(environments: readonly ResolvedEnvironment[]): Map<string, string[]> {
  const problems = new Map<string, string[]>();
  const add = (environment: string, problem: string): void => void problems.set(environment, [...(problems.get(environment) ?? []), problem]);
  environments.forEach((later, index) => {
    const laterPartition = partitionOfRegion(later.region)?.id;
    for (const earlier of environments.slice(0, index)) {
      if (partitionOfRegion(earlier.region)?.id !== laterPartition) continue;
      const knownApart = later.accountId !== undefined && earlier.accountId !== undefined && later.accountId !== earlier.accountId;
      if (!knownApart) {
        const account =
          later.accountId !== undefined && later.accountId === earlier.accountId
            ? `the same account (\`${later.accountId}\`)`
            : "which may be the same AWS account (set `accountId` on both if it is not)";
        const theirs = namedResources(earlier);
        for (const resource of namedResources(later)) {
          const same = theirs.find(
            (t) => t.what === resource.what && t.name === resource.name && (resource.scope === "account" || t.region === resource.region),
          );
          if (same === undefined) continue;
          const where = resource.scope === "account" ? "an account, in every region (IAM is global)" : "an account and region";
          const theirDescription = same.of?.(earlier.name) ?? `${/^[aeiou]/i.test(same.what) ? "an" : "a"} ${same.what} of environment \`${earlier.name}\``;
          const fix = same.field === resource.field ? resource.fix : `change \`${resource.field}\` here or \`${same.field}\` in \`${earlier.name}\``;
          add(
            later.name,
            `\`${resource.field}\`: ${resource.what} \`${resource.name}\`${resource.note ?? ""} is also ${theirDescription} ` +
              `in ${resource.scope === "account" ? earlier.region : same.region}, ${account}; ${resource.what} names must be unique in ${where}, so ${fix}`,
          );
        }
      }
      if (later.uploadsBucket === earlier.uploadsBucket && later.protected !== earlier.protected) {
        const [isProtected, notProtected] = later.protected ? [later, earlier] : [earlier, later];
        add(
          later.name,
          `\`uploadsBucket\` \`${later.uploadsBucket}\` is also the uploads bucket of environment \`${earlier.name}\`, and \`${notProtected.name}\` is ` +
            `not protected while \`${isProtected.name}\` is: the functions of each would read the other's users' recordings and documents; ` +
            "give each its own bucket",
        );
      }
    }
  });
  return problems;
}
