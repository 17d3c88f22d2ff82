/**
 * The classification table of the plan review: every resource type that holds data or access, what
 * deleting or replacing one does, and every attribute of it (nested blocks by their path, such as
 * `point_in_time_recovery.recovery_period_in_days`) with its class and the reason:
 *
 * - `safe`: changing it in place loses no data and no access;
 * - `loss`: it loses data or access when it moves one way (`loses`: protection turned off, TTL turned
 *   on, a retention or recovery window shortened, an encryption key changed, an element removed...); a
 *   move the other way is `otherwise` (safe unless said);
 * - `review`: it can change who may do what, or what the resource does, in ways no rule can judge:
 *   a reviewer looks (a finding that does not block).
 *
 * An attribute of these types that is not in this table is not safe: the review lists it for review,
 * and __tests__/scripts/plan-review.terraform.test.ts fails, naming it, when the pinned provider's
 * schema (`terraform providers schema -json`) has an attribute that the table does not classify, so a
 * provider upgrade cannot add an unreviewed attribute silently.
 *
 * Data only: scripts/lib/plan-review/classify.ts reads it (a pure function of a resource type, an
 * attribute path and its values before and after), and docs are tested against it.
 */

export type AttributeClass = "safe" | "review" | "loss";

/** The move of an attribute's value that loses data or access. */
export type Direction =
  /** `true` → anything else (`false`, null, absent): the provider sends `false`. */
  | { readonly kind: "turned-off" }
  /** anything but `true` → `true`. */
  | { readonly kind: "turned-on" }
  /**
   * A number made smaller. `unset`: what AWS applies when the value is null or absent (a number, or
   * `"unlimited"`); `unlimited`: values that mean no limit (CloudWatch Logs' 0, never expire).
   */
  | { readonly kind: "lowered"; readonly unset: number | "unlimited"; readonly unlimited?: readonly number[] }
  /** A value that was set (not null) changed to anything else, null included. */
  | { readonly kind: "changed" }
  /** A string that was one of `values` changed to anything else. */
  | { readonly kind: "left"; readonly values: readonly string[] };

/** When a loss rule applies; otherwise the change is `otherwise`. */
export type Condition =
  /** A sibling attribute of the same block is this value after the change (TTL's `enabled`). */
  | { readonly kind: "sibling-is"; readonly attribute: string; readonly value: unknown }
  /** The resource has at least one of these blocks before or after the change (a table's `replica`). */
  | { readonly kind: "resource-has"; readonly attribute: string };

/** How an attribute is classified. */
export interface AttributeRule {
  readonly class: AttributeClass;
  /** Why it is safe or needs review; for a loss, what is lost (the end of a sentence). */
  readonly why: string;
  /** For a loss: what the attribute is, in a finding ("deletion protection"). */
  readonly label?: string;
  /** For a loss: the move that loses. */
  readonly loses?: Direction;
  /** For a loss: the rule applies only then. */
  readonly onlyIf?: Condition;
  /** For a loss: the class of any other change (the other direction, or the condition unmet). @default "safe" */
  readonly otherwise?: "safe" | "review";
  /** For a loss: a sibling attribute whose value the finding shows (TTL's `attribute_name`). */
  readonly shows?: string;
  /**
   * Classifies every attribute below this block as well. Never for `safe`: an attribute a provider
   * adds inside the block would pass unreviewed.
   */
  readonly subtree?: true;
}

/**
 * A block that can hold several elements (a set or list of blocks): how its elements are matched
 * before and after, and what adding or removing one does. Its attributes have their own entries.
 */
export interface BlockRule {
  readonly block: true;
  /** The attribute that names an element (an index's `name`); without it, elements match by position. */
  readonly key?: string;
  readonly removed: AttributeRule;
  readonly added: AttributeRule;
}

/** What deleting or replacing a resource does. `why` may say `{subject}` (its name in code, or "it"). */
export interface ResourceRule {
  readonly class: AttributeClass;
  readonly why: string;
}

export interface ResourceClassification {
  /** What the resource is, in a finding: "table". */
  readonly kind: string;
  /** What it holds: why it is in this table. */
  readonly holds: string;
  readonly delete: ResourceRule;
  readonly replace: ResourceRule;
  readonly attributes: Readonly<Record<string, AttributeRule | BlockRule>>;
}

export function isBlockRule(rule: AttributeRule | BlockRule): rule is BlockRule {
  return "block" in rule;
}

// ---------------------------------------------------------------------------------------------------
// Shared entries

const safe = (why: string): AttributeRule => ({ class: "safe", why });
const review = (why: string): AttributeRule => ({ class: "review", why });
const reviewTree = (why: string): AttributeRule => ({ class: "review", why, subtree: true });

const COMPUTED = safe("computed by AWS from the resource (an id, ARN or status): it changes only with what it is computed from");
const TAGS = safe("labels; nothing in this project grants or denies access by this resource type's tags");
const TIMEOUTS = safe("how long Terraform waits for an operation; nothing in AWS changes");
/** Why an attribute whose change replaces the resource needs review if it ever changes in place. */
export const REPLACES_WHY =
  "changing it replaces the resource (the resource's replace rule applies); changed in place, it is something the provider did not do before: review it";
/** An attribute whose change replaces the resource (the resource's `replace` rule classifies that). */
const REPLACES = review(REPLACES_WHY);

const turnedOff = (label: string, why: string, extra: Partial<AttributeRule> = {}): AttributeRule => ({
  class: "loss",
  label,
  loses: { kind: "turned-off" },
  why,
  ...extra,
});

const keyChanged = (label: string, why: string): AttributeRule => ({ class: "loss", label, loses: { kind: "changed" }, why });

// ---------------------------------------------------------------------------------------------------
// DynamoDB

const TABLE_KEY = keyChanged(
  "the table's encryption key",
  "DynamoDB re-encrypts the table under another key: whoever the old key's policy let read the table loses that access, and a key the table's readers may not use makes it inaccessible to them",
);

const DYNAMODB_TABLE: ResourceClassification = {
  kind: "table",
  holds: "the items the functions write",
  delete: { class: "loss", why: "every item in {subject} is lost" },
  replace: { class: "loss", why: "Terraform destroys the table and creates a new, empty one: every item in {subject} is lost" },
  attributes: {
    arn: COMPUTED,
    id: COMPUTED,
    stream_arn: COMPUTED,
    stream_label: COMPUTED,
    billing_mode: review("on-demand or provisioned: provisioned capacity throttles what exceeds it; no item is lost"),
    deletion_protection_enabled: turnedOff(
      "deletion protection",
      "the provider sends DeletionProtectionEnabled=false: from then on a plan, or anyone allowed dynamodb:DeleteTable, can delete the table and every item in it",
    ),
    hash_key: REPLACES,
    range_key: REPLACES,
    name: REPLACES,
    read_capacity: safe("provisioned throughput: throttling, not data or access"),
    write_capacity: safe("provisioned throughput: throttling, not data or access"),
    restore_date_time: REPLACES,
    restore_source_name: REPLACES,
    restore_source_table_arn: REPLACES,
    restore_to_latest_time: REPLACES,
    stream_enabled: turnedOff(
      "the table's stream",
      "replicas (global tables) are kept in sync through the stream: with it off DynamoDB stops replicating, and the replicas fall behind or are refused",
      { onlyIf: { kind: "resource-has", attribute: "replica" }, otherwise: "review" },
    ),
    stream_view_type: review("what the stream carries: replicas need NEW_AND_OLD_IMAGES, and stream consumers read it"),
    table_class: safe("storage class (cost); the items stay"),
    tags: TAGS,
    tags_all: TAGS,
    attribute: {
      block: true,
      key: "name",
      removed: safe("an attribute definition only declares the type of a key or index attribute; the items keep the attribute"),
      added: safe("declares the type of a new key or index attribute"),
    },
    "attribute.name": safe("the element's key: a renamed definition is one removed and one added"),
    "attribute.type": review("the type of a key attribute: changing it rebuilds what the attribute keys"),
    global_secondary_index: {
      block: true,
      key: "name",
      removed: {
        class: "loss",
        label: "index",
        why: "DynamoDB deletes the index: every query on it (a user's history) fails until an index is built again, which reads the whole table",
      },
      added: safe("DynamoDB builds the new index from the table (backfill); the table's items are not changed"),
    },
    "global_secondary_index.name": safe("the element's key: a renamed index is one removed and one added"),
    "global_secondary_index.hash_key": review("the provider deletes and re-creates the index: queries on it fail while DynamoDB builds it again"),
    "global_secondary_index.range_key": review("the provider deletes and re-creates the index: queries on it fail while DynamoDB builds it again"),
    "global_secondary_index.projection_type": review("the provider deletes and re-creates the index: queries on it fail while DynamoDB builds it again"),
    "global_secondary_index.non_key_attributes": review("the provider deletes and re-creates the index: queries on it fail while DynamoDB builds it again"),
    "global_secondary_index.read_capacity": safe("provisioned throughput of the index"),
    "global_secondary_index.write_capacity": safe("provisioned throughput of the index"),
    "global_secondary_index.on_demand_throughput.max_read_request_units": safe("the index's on-demand cap (cost guard): throttling, not data"),
    "global_secondary_index.on_demand_throughput.max_write_request_units": safe("the index's on-demand cap (cost guard): throttling, not data"),
    import_table: reviewTree("used only when the table is created from S3: changing it replaces the table"),
    local_secondary_index: {
      block: true,
      key: "name",
      removed: { class: "review", why: "local indexes can only be set when the table is created: changing them replaces the table" },
      added: { class: "review", why: "local indexes can only be set when the table is created: changing them replaces the table" },
    },
    "local_secondary_index.name": REPLACES,
    "local_secondary_index.non_key_attributes": REPLACES,
    "local_secondary_index.projection_type": REPLACES,
    "local_secondary_index.range_key": REPLACES,
    "on_demand_throughput.max_read_request_units": safe("the table's on-demand cap (cost guard): throttling, not data"),
    "on_demand_throughput.max_write_request_units": safe("the table's on-demand cap (cost guard): throttling, not data"),
    "point_in_time_recovery.enabled": turnedOff(
      "point-in-time recovery",
      "DynamoDB deletes the table's continuous backups: it can no longer be restored to an earlier time",
    ),
    "point_in_time_recovery.recovery_period_in_days": {
      class: "loss",
      label: "the point-in-time recovery window",
      loses: { kind: "lowered", unset: 35 },
      why: "restore points older than the new window are gone at once: the table can no longer be restored to those times",
    },
    replica: {
      block: true,
      key: "region_name",
      removed: {
        class: "loss",
        label: "replica",
        why: "DynamoDB deletes the replica table in that region and every item in it (the table in its own region keeps its items); `prevent_destroy` does not stop it, this is an update",
      },
      added: safe("DynamoDB creates a replica in that region and copies the items to it"),
    },
    "replica.region_name": safe("the element's key: another region is one replica removed and one added"),
    "replica.arn": COMPUTED,
    "replica.stream_arn": COMPUTED,
    "replica.stream_label": COMPUTED,
    "replica.kms_key_arn": keyChanged(
      "the replica's encryption key",
      "the provider deletes the replica and creates it again under the new key: the replica's items are copied again and its point-in-time backups are lost",
    ),
    "replica.point_in_time_recovery": turnedOff("the replica's point-in-time recovery", "DynamoDB deletes the replica's continuous backups"),
    "replica.propagate_tags": safe("whether the table's tags are copied to the replica"),
    "server_side_encryption.enabled": turnedOff(
      "encryption with the customer key",
      "the table falls back to the AWS-owned key: the customer key's policy no longer controls who can read it, and its use is no longer audited",
    ),
    "server_side_encryption.kms_key_arn": TABLE_KEY,
    "timeouts.create": TIMEOUTS,
    "timeouts.delete": TIMEOUTS,
    "timeouts.update": TIMEOUTS,
    "ttl.enabled": {
      class: "loss",
      label: "TTL (time to live)",
      loses: { kind: "turned-on" },
      shows: "attribute_name",
      why: "DynamoDB deletes every item whose TTL attribute holds a time (Unix seconds) in the past, usually within a few days; an attribute that holds a creation time, such as `created_at`, expires every item",
    },
    "ttl.attribute_name": {
      class: "loss",
      label: "the TTL attribute",
      loses: { kind: "changed" },
      onlyIf: { kind: "sibling-is", attribute: "enabled", value: true },
      shows: "attribute_name",
      why: "DynamoDB starts deleting items by another attribute: every item whose new attribute holds a past time (Unix seconds) is deleted",
    },
  },
};

const DYNAMODB_TABLE_REPLICA: ResourceClassification = {
  kind: "replica table",
  holds: "a copy of a global table's items in another region",
  delete: { class: "loss", why: "DynamoDB deletes the replica table in its region and every item in it" },
  replace: { class: "loss", why: "the replica is deleted with every item in it and created again, empty until DynamoDB copies the items back; its point-in-time backups are lost" },
  attributes: {
    arn: COMPUTED,
    id: COMPUTED,
    deletion_protection_enabled: turnedOff(
      "deletion protection",
      "the provider sends DeletionProtectionEnabled=false: from then on the replica, and every item in it, can be deleted",
    ),
    global_table_arn: REPLACES,
    kms_key_arn: keyChanged("the replica's encryption key", "the replica is re-encrypted under another key: whoever the old key let read it loses that access"),
    point_in_time_recovery: turnedOff("the replica's point-in-time recovery", "DynamoDB deletes the replica's continuous backups"),
    table_class_override: safe("storage class (cost); the items stay"),
    tags: TAGS,
    tags_all: TAGS,
    "timeouts.create": TIMEOUTS,
    "timeouts.delete": TIMEOUTS,
    "timeouts.update": TIMEOUTS,
  },
};

const DYNAMODB_TABLE_ITEM: ResourceClassification = {
  kind: "item of table",
  holds: "an item, with every attribute the application wrote to it",
  delete: { class: "loss", why: "the item is deleted from {subject}, with every attribute the application wrote to it" },
  replace: { class: "loss", why: "the item is deleted from {subject} and written again: every attribute the application wrote to it is lost" },
  attributes: {
    id: COMPUTED,
    hash_key: REPLACES,
    range_key: REPLACES,
    table_name: REPLACES,
    item: review("Terraform writes the whole item again: attributes the application wrote to it since are overwritten"),
  },
};

// ---------------------------------------------------------------------------------------------------
// SQS, CloudWatch Logs, KMS

const SQS_QUEUE: ResourceClassification = {
  kind: "queue",
  holds: "messages (a dead-letter queue holds the events that failed every retry)",
  delete: { class: "loss", why: "every message in {subject} is lost (a dead-letter queue holds the events that failed every retry)" },
  replace: { class: "loss", why: "Terraform destroys it and creates a new one: every message in {subject} is lost (a dead-letter queue holds the events that failed every retry)" },
  attributes: {
    arn: COMPUTED,
    id: COMPUTED,
    url: COMPUTED,
    content_based_deduplication: safe("how a FIFO queue detects duplicates"),
    deduplication_scope: safe("how a FIFO queue detects duplicates"),
    delay_seconds: safe("when new messages become visible"),
    fifo_queue: REPLACES,
    fifo_throughput_limit: safe("a FIFO queue's throughput mode"),
    kms_data_key_reuse_period_seconds: safe("how long SQS reuses a data key"),
    kms_master_key_id: keyChanged(
      "the queue's encryption key",
      "new messages are encrypted under another key (or none); the messages already in the queue stay readable only while the old key is enabled and usable by SQS",
    ),
    max_message_size: review("messages larger than the limit are refused: a dead-letter queue with a smaller limit drops the events that do not fit"),
    message_retention_seconds: {
      class: "loss",
      label: "message retention",
      loses: { kind: "lowered", unset: 345600 },
      why: "messages older than the new period are deleted at once, and later ones sooner (a dead-letter queue holds the events that failed every retry)",
    },
    name: REPLACES,
    name_prefix: REPLACES,
    policy: review("who may send, receive and delete messages"),
    receive_wait_time_seconds: safe("long polling"),
    redrive_allow_policy: review("which queues may use this one as their dead-letter queue"),
    redrive_policy: review("where messages go after failed receives: a wrong target loses them"),
    sqs_managed_sse_enabled: turnedOff("SQS-managed encryption", "new messages are stored unencrypted"),
    tags: TAGS,
    tags_all: TAGS,
    "timeouts.create": TIMEOUTS,
    "timeouts.delete": TIMEOUTS,
    "timeouts.update": TIMEOUTS,
    visibility_timeout_seconds: safe("how long a received message stays hidden"),
  },
};

const LOG_GROUP: ResourceClassification = {
  kind: "log group",
  holds: "log events (the functions' logs, the job outcome metrics' source)",
  delete: { class: "loss", why: "every log event in {subject} is lost" },
  replace: { class: "loss", why: "Terraform destroys it and creates a new one: every log event in {subject} is lost" },
  attributes: {
    arn: COMPUTED,
    id: COMPUTED,
    kms_key_id: keyChanged(
      "the log group's encryption key",
      "new log events are encrypted under another key (or none); the events already stored stay readable only while the old key is enabled and usable by CloudWatch Logs",
    ),
    log_group_class: REPLACES,
    name: REPLACES,
    name_prefix: REPLACES,
    retention_in_days: {
      class: "loss",
      label: "log retention",
      loses: { kind: "lowered", unset: "unlimited", unlimited: [0] },
      why: "log events older than the new period are deleted",
    },
    skip_destroy: turnedOff("skip_destroy", "a later destroy deletes the log group, and every log event in it, instead of leaving it in AWS"),
    tags: TAGS,
    tags_all: TAGS,
  },
};

const KMS_KEY: ResourceClassification = {
  kind: "KMS key",
  holds: "access to everything encrypted under it",
  delete: {
    class: "loss",
    why:
      "the key is unusable at once (pending deletion) and AWS deletes it after {deletion_window_in_days} (`deletion_window_in_days`): nothing it encrypts can be decrypted, " +
      "a table that uses it becomes inaccessible and is archived after seven days, and once the key is deleted that data is lost for good",
  },
  replace: {
    class: "loss",
    why:
      "Terraform schedules the old key's deletion (after {deletion_window_in_days}) and creates a new one: what the old key encrypts cannot be decrypted once it is deleted",
  },
  attributes: {
    arn: COMPUTED,
    id: COMPUTED,
    key_id: COMPUTED,
    bypass_policy_lockout_safety_check: review("lets AWS accept a key policy that locks everyone out of the key"),
    custom_key_store_id: REPLACES,
    customer_master_key_spec: REPLACES,
    key_usage: REPLACES,
    multi_region: REPLACES,
    xks_key_id: REPLACES,
    deletion_window_in_days: safe("used only when the key is deleted"),
    description: safe("a description"),
    enable_key_rotation: review("yearly rotation of the key material: a security setting, no data or access is lost"),
    is_enabled: turnedOff(
      "the key",
      "nothing encrypted with it can be decrypted until it is enabled again, and a table that uses it becomes inaccessible at once and is archived after seven days",
    ),
    policy: review("who may use and manage the key: a policy that leaves out the account or the roles that use it locks them out"),
    rotation_period_in_days: safe("how often the key material rotates"),
    tags: review("the bootstrap's roles may manage a key by its owner tag: a changed tag changes who can manage it"),
    tags_all: review("the bootstrap's roles may manage a key by its owner tag: a changed tag changes who can manage it"),
    "timeouts.create": TIMEOUTS,
  },
};

const KMS_ALIAS: ResourceClassification = {
  kind: "KMS alias",
  holds: "the name by which configurations find a key",
  delete: { class: "review", why: "whatever finds the key by this alias stops finding it; the key and its data are kept" },
  replace: { class: "review", why: "the alias is deleted and created again: lookups by the alias fail in between" },
  attributes: {
    arn: COMPUTED,
    id: COMPUTED,
    target_key_arn: COMPUTED,
    name: REPLACES,
    name_prefix: REPLACES,
    target_key_id: review("which key the alias names: whatever encrypts by the alias uses another key from then on"),
  },
};

// ---------------------------------------------------------------------------------------------------
// The state bucket (S3)

const BUCKET_INLINE = reviewTree(
  "deprecated inline configuration of the bucket: this project configures its bucket with the aws_s3_bucket_* resources, each classified here; review any change",
);

const S3_BUCKET: ResourceClassification = {
  kind: "bucket",
  holds: "objects: the Terraform state of every stack kept in the state bucket",
  delete: { class: "loss", why: "every object in {subject} is lost, with the Terraform state of every stack kept there" },
  replace: { class: "loss", why: "Terraform destroys it and creates a new one: every object in {subject} is lost, with the Terraform state kept there" },
  attributes: {
    arn: COMPUTED,
    id: COMPUTED,
    bucket_domain_name: COMPUTED,
    bucket_regional_domain_name: COMPUTED,
    hosted_zone_id: COMPUTED,
    region: COMPUTED,
    website_domain: COMPUTED,
    website_endpoint: COMPUTED,
    acceleration_status: safe("transfer acceleration (deprecated here): speed and cost"),
    acl: review("a canned ACL (deprecated here): who may read or write the bucket"),
    bucket: REPLACES,
    bucket_prefix: REPLACES,
    force_destroy: {
      class: "loss",
      label: "force_destroy",
      loses: { kind: "turned-on" },
      why: "Terraform may then delete the bucket with every object in it (the state) instead of refusing while it is not empty",
    },
    object_lock_enabled: REPLACES,
    policy: review("the bucket policy (deprecated here): who may read or write the bucket"),
    request_payer: review("who pays for requests: requesters must then send a header, or are refused"),
    tags: TAGS,
    tags_all: TAGS,
    cors_rule: BUCKET_INLINE,
    grant: BUCKET_INLINE,
    lifecycle_rule: BUCKET_INLINE,
    logging: BUCKET_INLINE,
    object_lock_configuration: BUCKET_INLINE,
    replication_configuration: BUCKET_INLINE,
    server_side_encryption_configuration: BUCKET_INLINE,
    versioning: BUCKET_INLINE,
    website: BUCKET_INLINE,
    "timeouts.create": TIMEOUTS,
    "timeouts.delete": TIMEOUTS,
    "timeouts.read": TIMEOUTS,
    "timeouts.update": TIMEOUTS,
  },
};

const BUCKET_REF = REPLACES;

const S3_BUCKET_VERSIONING: ResourceClassification = {
  kind: "bucket versioning",
  holds: "the versioning that keeps earlier versions of the state",
  delete: { class: "loss", why: "versioning of the bucket is suspended: earlier versions of overwritten or deleted objects (the state) are no longer kept" },
  replace: { class: "review", why: "the versioning configuration is written again" },
  attributes: {
    id: COMPUTED,
    bucket: BUCKET_REF,
    expected_bucket_owner: BUCKET_REF,
    mfa: review("the MFA device used to change MFA delete"),
    "versioning_configuration.status": {
      class: "loss",
      label: "versioning",
      loses: { kind: "left", values: ["Enabled"] },
      why: "earlier versions of overwritten or deleted objects (the state) are no longer kept",
    },
    "versioning_configuration.mfa_delete": {
      class: "loss",
      label: "MFA delete",
      loses: { kind: "left", values: ["Enabled"] },
      why: "deleting object versions (earlier state) no longer needs MFA",
    },
  },
};

const S3_BUCKET_ENCRYPTION: ResourceClassification = {
  kind: "bucket encryption",
  holds: "the default encryption of the state",
  delete: { class: "loss", why: "new objects get S3's default encryption (SSE-S3) instead of the configured key" },
  replace: { class: "review", why: "the encryption configuration is written again" },
  attributes: {
    id: COMPUTED,
    bucket: BUCKET_REF,
    expected_bucket_owner: BUCKET_REF,
    rule: {
      block: true,
      removed: { class: "loss", label: "the default encryption rule", why: "new objects get S3's default encryption (SSE-S3) instead of the configured key" },
      added: safe("a default encryption rule for new objects"),
    },
    "rule.bucket_key_enabled": safe("S3 bucket keys (fewer KMS requests, lower cost)"),
    "rule.apply_server_side_encryption_by_default.kms_master_key_id": keyChanged(
      "the bucket's encryption key",
      "new objects are encrypted under another key: whoever the old key let read the state loses that access for new objects",
    ),
    "rule.apply_server_side_encryption_by_default.sse_algorithm": {
      class: "loss",
      label: "KMS encryption",
      loses: { kind: "left", values: ["aws:kms", "aws:kms:dsse"] },
      why: "new objects are no longer encrypted under a KMS key whose policy controls who can read them",
    },
  },
};

const publicAccess = (label: string): AttributeRule =>
  turnedOff(label, "one of the four guards against a public bucket goes: a policy or ACL can then expose the state to anyone");

const S3_PUBLIC_ACCESS_BLOCK: ResourceClassification = {
  kind: "public access block",
  holds: "the guards that keep the state bucket private",
  delete: { class: "loss", why: "the bucket's public access block goes: a policy or ACL can then expose the state to anyone" },
  replace: { class: "review", why: "the public access block is written again" },
  attributes: {
    id: COMPUTED,
    bucket: BUCKET_REF,
    block_public_acls: publicAccess("block_public_acls"),
    block_public_policy: publicAccess("block_public_policy"),
    ignore_public_acls: publicAccess("ignore_public_acls"),
    restrict_public_buckets: publicAccess("restrict_public_buckets"),
  },
};

const S3_BUCKET_POLICY: ResourceClassification = {
  kind: "bucket policy",
  holds: "the bucket's own rules (TLS only)",
  delete: { class: "loss", why: "the bucket's own rules go (its TLS-only statement): the state can then be read over plain HTTP" },
  replace: { class: "review", why: "the bucket policy is written again" },
  attributes: {
    id: COMPUTED,
    bucket: BUCKET_REF,
    policy: review("who may read or write the state, and how"),
  },
};

const S3_OWNERSHIP: ResourceClassification = {
  kind: "bucket ownership controls",
  holds: "who owns the objects written to the bucket",
  delete: { class: "review", why: "ACLs apply again: objects written by other accounts may stay theirs" },
  replace: { class: "review", why: "the ownership controls are written again" },
  attributes: {
    id: COMPUTED,
    bucket: BUCKET_REF,
    "rule.object_ownership": review("who owns new objects, and whether ACLs apply"),
  },
};

const LIFECYCLE_FILTER = reviewTree("which objects the rule applies to: a wider filter expires or moves more objects");
const LIFECYCLE_TRANSITION = reviewTree("moves objects to another storage class: a colder class delays or charges reading them");

const S3_LIFECYCLE: ResourceClassification = {
  kind: "bucket lifecycle",
  holds: "the rules that expire old versions of the state",
  delete: { class: "review", why: "objects are no longer expired: nothing is lost, old versions are kept (and paid for)" },
  replace: { class: "review", why: "the lifecycle rules are written again" },
  attributes: {
    id: COMPUTED,
    bucket: BUCKET_REF,
    expected_bucket_owner: BUCKET_REF,
    transition_default_minimum_object_size: safe("which small objects transitions skip"),
    "timeouts.create": TIMEOUTS,
    "timeouts.update": TIMEOUTS,
    rule: {
      block: true,
      key: "id",
      removed: safe("objects are no longer expired or moved by it: kept longer"),
      added: review("a new rule can expire (delete) objects: review what it matches and when"),
    },
    "rule.id": safe("the element's key: another id is one rule removed and one added"),
    "rule.prefix": review("which objects the rule applies to (deprecated: use filter)"),
    "rule.status": review("Disabled → Enabled starts the rule's expirations"),
    "rule.abort_incomplete_multipart_upload": {
      block: true,
      removed: safe("incomplete uploads are kept"),
      added: safe("incomplete uploads are cleaned up; no complete object is touched"),
    },
    "rule.abort_incomplete_multipart_upload.days_after_initiation": safe("when incomplete uploads are cleaned up"),
    "rule.expiration": {
      block: true,
      removed: safe("current objects are no longer expired"),
      added: review("current objects start to expire (be deleted)"),
    },
    "rule.expiration.date": review("the date from which current objects are deleted"),
    "rule.expiration.days": {
      class: "loss",
      label: "the expiration of current objects",
      loses: { kind: "lowered", unset: "unlimited" },
      why: "current objects are deleted sooner: those older than the new period go at once",
    },
    "rule.expiration.expired_object_delete_marker": safe("removes delete markers that hide nothing"),
    "rule.filter": LIFECYCLE_FILTER,
    "rule.noncurrent_version_expiration": {
      block: true,
      removed: safe("old versions are no longer expired"),
      added: review("old versions of objects (earlier state) start to be deleted"),
    },
    "rule.noncurrent_version_expiration.newer_noncurrent_versions": {
      class: "loss",
      label: "the number of old versions kept",
      loses: { kind: "lowered", unset: "unlimited" },
      why: "fewer earlier versions of each object (the state) are kept: the others are deleted",
    },
    "rule.noncurrent_version_expiration.noncurrent_days": {
      class: "loss",
      label: "the expiration of old versions",
      loses: { kind: "lowered", unset: "unlimited" },
      why: "earlier versions of the state are deleted sooner: those older than the new period go at once",
    },
    "rule.noncurrent_version_transition": LIFECYCLE_TRANSITION,
    "rule.transition": LIFECYCLE_TRANSITION,
  },
};

// ---------------------------------------------------------------------------------------------------
// SNS (the alarm topic)

const FEEDBACK = safe("delivery status logging of the topic");

const SNS_TOPIC: ResourceClassification = {
  kind: "topic",
  holds: "the subscriptions alarms notify (no message is stored)",
  delete: { class: "review", why: "alarms that notify {subject} notify no one; its subscriptions (alarm emails) are deleted and must be confirmed again" },
  replace: { class: "review", why: "a new topic: its subscriptions (alarm emails) must be confirmed again" },
  attributes: {
    arn: COMPUTED,
    id: COMPUTED,
    owner: COMPUTED,
    beginning_archive_time: COMPUTED,
    application_failure_feedback_role_arn: FEEDBACK,
    application_success_feedback_role_arn: FEEDBACK,
    application_success_feedback_sample_rate: FEEDBACK,
    firehose_failure_feedback_role_arn: FEEDBACK,
    firehose_success_feedback_role_arn: FEEDBACK,
    firehose_success_feedback_sample_rate: FEEDBACK,
    http_failure_feedback_role_arn: FEEDBACK,
    http_success_feedback_role_arn: FEEDBACK,
    http_success_feedback_sample_rate: FEEDBACK,
    lambda_failure_feedback_role_arn: FEEDBACK,
    lambda_success_feedback_role_arn: FEEDBACK,
    lambda_success_feedback_sample_rate: FEEDBACK,
    sqs_failure_feedback_role_arn: FEEDBACK,
    sqs_success_feedback_role_arn: FEEDBACK,
    sqs_success_feedback_sample_rate: FEEDBACK,
    archive_policy: review("how long a FIFO topic keeps its messages"),
    content_based_deduplication: safe("how a FIFO topic detects duplicates"),
    delivery_policy: safe("how deliveries are retried"),
    display_name: safe("the sender name in notifications"),
    fifo_throughput_scope: safe("a FIFO topic's throughput mode"),
    fifo_topic: REPLACES,
    kms_master_key_id: review("the topic's key: every publisher (CloudWatch alarms) must be allowed to use the new key, or its notifications are dropped"),
    name: REPLACES,
    name_prefix: REPLACES,
    policy: review("who may publish (CloudWatch alarms) and subscribe"),
    signature_version: safe("how notifications are signed"),
    tags: TAGS,
    tags_all: TAGS,
    tracing_config: safe("X-Ray tracing"),
  },
};

const SNS_SUBSCRIPTION: ResourceClassification = {
  kind: "subscription",
  holds: "who receives the alarms",
  delete: { class: "review", why: "its endpoint (an alarm email) stops receiving notifications" },
  replace: { class: "review", why: "a new subscription: an email endpoint receives nothing until its recipient confirms it again" },
  attributes: {
    arn: COMPUTED,
    id: COMPUTED,
    owner_id: COMPUTED,
    confirmation_was_authenticated: COMPUTED,
    pending_confirmation: COMPUTED,
    confirmation_timeout_in_minutes: safe("how long Terraform waits for a confirmation"),
    delivery_policy: safe("how deliveries are retried"),
    endpoint: REPLACES,
    endpoint_auto_confirms: safe("whether the endpoint confirms by itself"),
    filter_policy: review("which notifications reach the endpoint"),
    filter_policy_scope: review("which notifications reach the endpoint"),
    protocol: REPLACES,
    raw_message_delivery: safe("the message format"),
    redrive_policy: review("where undeliverable notifications go"),
    replay_policy: safe("replay of archived messages"),
    subscription_role_arn: review("the role SNS uses to deliver (Firehose)"),
    topic_arn: REPLACES,
  },
};

const SNS_TOPIC_POLICY: ResourceClassification = {
  kind: "topic policy",
  holds: "who may publish to the alarm topic",
  delete: { class: "review", why: "the topic falls back to its default policy: CloudWatch alarms may no longer publish to it" },
  replace: { class: "review", why: "the topic policy is written again" },
  attributes: {
    id: COMPUTED,
    owner: COMPUTED,
    arn: REPLACES,
    policy: review("who may publish (CloudWatch alarms) and subscribe"),
  },
};

// ---------------------------------------------------------------------------------------------------
// IAM

const POLICY_DOCUMENT = review("what the role may do: more is a privilege escalation, less can deny what a function or a job needs");

const IAM_ROLE: ResourceClassification = {
  kind: "role",
  holds: "access: what the functions and CI jobs may do",
  delete: { class: "review", why: "whatever assumes it (a function, a CI job) loses the access it grants" },
  replace: { class: "review", why: "the role is deleted and created again: whatever assumes it fails in between, and policies that name it by its unique id no longer match" },
  attributes: {
    arn: COMPUTED,
    id: COMPUTED,
    create_date: COMPUTED,
    unique_id: COMPUTED,
    assume_role_policy: review("who may assume the role (the trust policy: the GitHub OIDC subjects, the Lambda service)"),
    description: safe("a description"),
    force_detach_policies: safe("whether Terraform detaches policies before deleting the role"),
    managed_policy_arns: review("managed policies attached (deprecated here): what the role may do"),
    max_session_duration: safe("how long a session lasts"),
    name: REPLACES,
    name_prefix: REPLACES,
    path: REPLACES,
    permissions_boundary: review("the most the role may ever do"),
    tags: review("policies may test the role's tags (aws:PrincipalTag): a changed tag can change what it may do"),
    tags_all: review("policies may test the role's tags (aws:PrincipalTag): a changed tag can change what it may do"),
    inline_policy: reviewTree("inline policies (deprecated here): what the role may do"),
  },
};

const IAM_ROLE_POLICY: ResourceClassification = {
  kind: "role policy",
  holds: "access: what a role may do",
  delete: { class: "review", why: "the role loses what the policy grants" },
  replace: { class: "review", why: "the policy is deleted and written again: the role lacks it in between" },
  attributes: {
    id: COMPUTED,
    name: REPLACES,
    name_prefix: REPLACES,
    role: REPLACES,
    policy: POLICY_DOCUMENT,
  },
};

const IAM_POLICY: ResourceClassification = {
  kind: "policy",
  holds: "access: what the roles it is attached to may do",
  delete: { class: "review", why: "every role it is attached to loses what it grants" },
  replace: { class: "review", why: "the policy is deleted and created again: its roles lack it in between" },
  attributes: {
    arn: COMPUTED,
    id: COMPUTED,
    attachment_count: COMPUTED,
    policy_id: COMPUTED,
    description: REPLACES,
    name: REPLACES,
    name_prefix: REPLACES,
    path: REPLACES,
    policy: POLICY_DOCUMENT,
    tags: TAGS,
    tags_all: TAGS,
  },
};

const IAM_ROLE_POLICY_ATTACHMENT: ResourceClassification = {
  kind: "policy attachment",
  holds: "access: a managed policy attached to a role",
  delete: { class: "review", why: "the role loses what the attached policy grants" },
  replace: { class: "review", why: "the policy is detached and attached again" },
  attributes: {
    id: COMPUTED,
    policy_arn: REPLACES,
    role: REPLACES,
  },
};

const OIDC_PROVIDER: ResourceClassification = {
  kind: "OIDC provider",
  holds: "access: GitHub Actions' way into every plan and deploy role",
  delete: {
    class: "loss",
    why: "no role that trusts it can be assumed from GitHub Actions any more: every plan and deploy job fails until someone with administrator credentials creates it again",
  },
  replace: { class: "review", why: "it is deleted and created again with the same ARN: jobs that start in between fail" },
  attributes: {
    arn: COMPUTED,
    id: COMPUTED,
    client_id_list: review("the audiences GitHub's tokens must carry"),
    thumbprint_list: review("the certificates AWS trusts for GitHub's token endpoint"),
    url: REPLACES,
    tags: TAGS,
    tags_all: TAGS,
  },
};

// ---------------------------------------------------------------------------------------------------
// Lambda, alarms, metric filters

const FUNCTION_CODE = safe("the code and how it runs: built from this repository; no data or access");

const LAMBDA_FUNCTION: ResourceClassification = {
  kind: "function",
  holds: "access: the role it runs with and the tables its environment names",
  delete: { class: "review", why: "the function stops and its invocations fail; its code is built from this repository, the tables keep their items" },
  replace: { class: "review", why: "the function is deleted and created again: invocations in between fail" },
  attributes: {
    arn: COMPUTED,
    id: COMPUTED,
    code_sha256: COMPUTED,
    invoke_arn: COMPUTED,
    last_modified: COMPUTED,
    qualified_arn: COMPUTED,
    qualified_invoke_arn: COMPUTED,
    signing_job_arn: COMPUTED,
    signing_profile_version_arn: COMPUTED,
    source_code_size: COMPUTED,
    version: COMPUTED,
    architectures: FUNCTION_CODE,
    description: safe("a description"),
    filename: FUNCTION_CODE,
    handler: FUNCTION_CODE,
    image_uri: FUNCTION_CODE,
    layers: FUNCTION_CODE,
    memory_size: FUNCTION_CODE,
    package_type: REPLACES,
    publish: FUNCTION_CODE,
    runtime: FUNCTION_CODE,
    s3_bucket: FUNCTION_CODE,
    s3_key: FUNCTION_CODE,
    s3_object_version: FUNCTION_CODE,
    source_code_hash: FUNCTION_CODE,
    timeout: FUNCTION_CODE,
    code_signing_config_arn: review("which signed code the function accepts"),
    function_name: REPLACES,
    kms_key_arn: review("the key of the environment variables: a key the function may not use stops it from starting"),
    replace_security_groups_on_destroy: safe("network clean-up on destroy"),
    replacement_security_group_ids: safe("network clean-up on destroy"),
    reserved_concurrent_executions: review("0 stops the function: its events are retried, then go to the dead-letter queue"),
    role: review("the permissions the function runs with"),
    skip_destroy: review("whether a destroy leaves the function in AWS"),
    tags: TAGS,
    tags_all: TAGS,
    "dead_letter_config.target_arn": review("where failed events go: a wrong queue loses them"),
    "environment.variables": review("the tables and settings the function uses: a wrong table name sends its results elsewhere"),
    "ephemeral_storage.size": FUNCTION_CODE,
    file_system_config: reviewTree("a file system the function mounts: access to its files"),
    "image_config.command": FUNCTION_CODE,
    "image_config.entry_point": FUNCTION_CODE,
    "image_config.working_directory": FUNCTION_CODE,
    "logging_config.application_log_level": safe("what the function logs"),
    "logging_config.log_format": safe("what the function logs"),
    "logging_config.log_group": safe("where the function logs"),
    "logging_config.system_log_level": safe("what the function logs"),
    "snap_start.apply_on": FUNCTION_CODE,
    "snap_start.optimization_status": COMPUTED,
    "timeouts.create": TIMEOUTS,
    "timeouts.delete": TIMEOUTS,
    "timeouts.update": TIMEOUTS,
    "tracing_config.mode": safe("X-Ray tracing"),
    "vpc_config.ipv6_allowed_for_dual_stack": safe("network addressing"),
    "vpc_config.security_group_ids": review("what the function may reach on the network"),
    "vpc_config.subnet_ids": review("what the function may reach on the network"),
    "vpc_config.vpc_id": COMPUTED,
  },
};

/**
 * Alarms and metric filters protect by telling, not by holding: their changes and deletes need a
 * reviewer's eye but do not block. No data or access is lost with them, the synth-time guardrails
 * require every table's and function's alarms (BANDUP-ALARM-1), and a restore's last step deletes the
 * original table's alarms on purpose.
 */
const ALARM_TUNING = safe("when the alarm fires (statistic, period, threshold): tuning, no data or access");

const METRIC_ALARM: ResourceClassification = {
  kind: "alarm",
  holds: "protection by notification (no data)",
  delete: { class: "review", why: "the alarm stops watching and notifies no one; no data is lost" },
  replace: { class: "review", why: "the alarm is deleted and created again, starting with no state" },
  attributes: {
    arn: COMPUTED,
    id: COMPUTED,
    actions_enabled: review("false silences the alarm: it changes state but notifies no one"),
    alarm_actions: review("who is told when the alarm fires"),
    insufficient_data_actions: review("who is told when the alarm has no data"),
    ok_actions: safe("who is told when the alarm recovers"),
    alarm_description: safe("the text of the notification"),
    alarm_name: REPLACES,
    comparison_operator: ALARM_TUNING,
    datapoints_to_alarm: ALARM_TUNING,
    evaluate_low_sample_count_percentiles: ALARM_TUNING,
    evaluation_periods: ALARM_TUNING,
    extended_statistic: ALARM_TUNING,
    period: ALARM_TUNING,
    statistic: ALARM_TUNING,
    threshold: ALARM_TUNING,
    treat_missing_data: ALARM_TUNING,
    unit: ALARM_TUNING,
    dimensions: review("what the alarm watches (which table or function)"),
    metric_name: review("what the alarm watches"),
    namespace: review("what the alarm watches"),
    threshold_metric_id: review("what the alarm compares against"),
    metric_query: reviewTree("what the alarm watches (a metric math expression)"),
    tags: TAGS,
    tags_all: TAGS,
  },
};

const LOG_METRIC_FILTER: ResourceClassification = {
  kind: "metric filter",
  holds: "the job outcome metrics the alarms watch (the log events stay in their group)",
  delete: { class: "review", why: "its metric stops: alarms on it see no data; the log events are kept" },
  replace: { class: "review", why: "the filter is deleted and created again: events logged in between are not counted" },
  attributes: {
    id: COMPUTED,
    log_group_name: REPLACES,
    name: REPLACES,
    pattern: review("which log events the metric counts"),
    metric_transformation: reviewTree("the metric the filter writes: alarms watch it by name and namespace"),
  },
};

/** Every resource type that holds data or access, by type. */
export const CLASSIFICATION: Readonly<Record<string, ResourceClassification>> = {
  aws_dynamodb_table: DYNAMODB_TABLE,
  aws_dynamodb_table_replica: DYNAMODB_TABLE_REPLICA,
  aws_dynamodb_table_item: DYNAMODB_TABLE_ITEM,
  aws_sqs_queue: SQS_QUEUE,
  aws_cloudwatch_log_group: LOG_GROUP,
  aws_kms_key: KMS_KEY,
  aws_kms_alias: KMS_ALIAS,
  aws_s3_bucket: S3_BUCKET,
  aws_s3_bucket_versioning: S3_BUCKET_VERSIONING,
  aws_s3_bucket_server_side_encryption_configuration: S3_BUCKET_ENCRYPTION,
  aws_s3_bucket_public_access_block: S3_PUBLIC_ACCESS_BLOCK,
  aws_s3_bucket_policy: S3_BUCKET_POLICY,
  aws_s3_bucket_ownership_controls: S3_OWNERSHIP,
  aws_s3_bucket_lifecycle_configuration: S3_LIFECYCLE,
  aws_sns_topic: SNS_TOPIC,
  aws_sns_topic_subscription: SNS_SUBSCRIPTION,
  aws_sns_topic_policy: SNS_TOPIC_POLICY,
  aws_iam_role: IAM_ROLE,
  aws_iam_role_policy: IAM_ROLE_POLICY,
  aws_iam_policy: IAM_POLICY,
  aws_iam_role_policy_attachment: IAM_ROLE_POLICY_ATTACHMENT,
  aws_iam_openid_connect_provider: OIDC_PROVIDER,
  aws_lambda_function: LAMBDA_FUNCTION,
  aws_cloudwatch_metric_alarm: METRIC_ALARM,
  aws_cloudwatch_log_metric_filter: LOG_METRIC_FILTER,
};

/**
 * Resource types the stacks create that hold neither data nor access, with the reason: a test holds
 * every type the app synthesizes to be in `CLASSIFICATION` or here, so a new type is classified first.
 */
export const HOLDS_NOTHING: Readonly<Record<string, string>> = {
  aws_cloudwatch_dashboard: "a view of metrics: deleting it loses no data and no access",
  aws_lambda_layer_version: "code built from this repository: a new version replaces the old one",
};

/** The classification of a resource type (own entries only: a type named `constructor` is none). */
export function classificationOf(type: string): ResourceClassification | undefined {
  return Object.hasOwn(CLASSIFICATION, type) ? CLASSIFICATION[type] : undefined;
}
