/**
 * Reads the AWS partitions and regions that the pinned AWS provider knows out of its own binary.
 *
 * hashicorp/aws 5.100.0 checks the configured region with `validation.SupportedRegion` of
 * github.com/hashicorp/aws-sdk-go-base/v2: a region is valid when one of `endpoints.DefaultPartitions()`
 * lists it. That list is a Go map literal (package `endpoints`, file `endpoints_gen.go`, generated from
 * the AWS SDK's endpoints data), compiled into the package's `init` function. The provider binary is
 * stripped, so this reader:
 *
 * 1. finds that `init` function, `runtime.mapassign_faststr` and `regexp.MustCompile` by name in the
 *    binary's Go function table (`.gopclntab`, kept in stripped Go binaries);
 * 2. walks the calls of `init`, which follow the source order, reading each call's arguments as the
 *    Go register ABI passes them (amd64: the map type in AX, the key in CX/DI; the regex in AX/BX):
 *    each partition is a `regexp.MustCompile(<regionRegex>)`, then its region keys (one
 *    `mapassign` each, or, for a map of more than 25 entries, a loop over a static array of keys),
 *    then `partitions[<id>] = ...`, whose static part (id, name, DNS suffix) is a template in rodata.
 *
 * Every value read is checked (each region matches its partition's regex, ids are unique), and a
 * binary that does not fit throws: the caller never gets a partial list.
 */
import { closeSync, existsSync, openSync, readdirSync, readSync } from "fs";
import { join } from "path";

/** One AWS partition as the provider knows it. */
export interface ProviderPartition {
  /** `aws`, `aws-cn`, `aws-us-gov`, ... (the `arn:<partition>:` of its ARNs). */
  readonly id: string;
  /** "AWS Standard", "AWS China", ... */
  readonly name: string;
  /** The DNS suffix of its endpoints: `amazonaws.com`, `amazonaws.com.cn`, ... */
  readonly dnsSuffix: string;
  /** The regular expression (Go syntax, also valid in JavaScript) its region codes match. */
  readonly regionRegex: string;
  /** Its region codes, sorted. */
  readonly regions: readonly string[];
}

/** What the binary says about where its data comes from. */
export interface ProviderBinaryFacts {
  readonly partitions: readonly ProviderPartition[];
  /** The version of github.com/hashicorp/aws-sdk-go-base/v2 the binary was built with. */
  readonly awsSdkGoBaseVersion: string;
  /** The Go version the binary was built with. */
  readonly goVersion: string;
}

const ENDPOINTS_INIT = "github.com/hashicorp/aws-sdk-go-base/v2/endpoints.init";
const MAP_ASSIGN = "runtime.mapassign_faststr";
const MUST_COMPILE = "regexp.MustCompile";
/** A region code: us-east-1, us-gov-west-1, eusc-de-east-1. */
const REGION_SHAPE = /^[a-z]{2,4}(-[a-z]+)+-\d+$/;
/** A partition id: aws, aws-cn, aws-iso-b. */
const PARTITION_SHAPE = /^aws(-[a-z]+)*$/;

interface Section {
  readonly name: string;
  readonly address: bigint;
  readonly offset: number;
  readonly size: number;
  readonly hasBytes: boolean;
}

/** Positioned reads of one ELF file, by file offset or by virtual address. */
class ElfFile {
  readonly sections: Section[];

  constructor(private readonly fd: number, private readonly path: string) {
    const header = this.read(0, 64);
    if (header.readUInt32BE(0) !== 0x7f454c46 || header[4] !== 2 || header[5] !== 1) {
      throw new Error(`${path} is not a 64-bit little-endian ELF file`);
    }
    if (header.readUInt16LE(0x12) !== 62) {
      throw new Error(`${path} is not an x86-64 binary: this reader decodes amd64 code only (use the linux_amd64 provider)`);
    }
    const sectionTable = Number(header.readBigUInt64LE(0x28));
    const entrySize = header.readUInt16LE(0x3a);
    const count = header.readUInt16LE(0x3c);
    const namesIndex = header.readUInt16LE(0x3e);
    const raw = this.read(sectionTable, entrySize * count);
    const entries = Array.from({ length: count }, (_unused, i) => raw.subarray(i * entrySize, (i + 1) * entrySize));
    const names = entries[namesIndex];
    const nameTable = this.read(Number(names.readBigUInt64LE(24)), Number(names.readBigUInt64LE(32)));
    this.sections = entries.map((entry) => {
      const nameStart = entry.readUInt32LE(0);
      return {
        name: nameTable.toString("latin1", nameStart, nameTable.indexOf(0, nameStart)),
        address: entry.readBigUInt64LE(16),
        offset: Number(entry.readBigUInt64LE(24)),
        size: Number(entry.readBigUInt64LE(32)),
        hasBytes: entry.readUInt32LE(4) !== 8, // SHT_NOBITS (.bss) has no bytes in the file
      };
    });
  }

  section(name: string): Section {
    const found = this.sections.find((s) => s.name === name);
    if (!found) throw new Error(`${this.path} has no ${name} section: it is not a Go binary this reader knows`);
    return found;
  }

  read(offset: number, length: number): Buffer {
    const buffer = Buffer.alloc(length);
    const got = readSync(this.fd, buffer, 0, length, offset);
    if (got !== length) throw new Error(`${this.path}: short read at offset ${offset}`);
    return buffer;
  }

  /** The file offset of a virtual address, or undefined when no section of the file holds it. */
  offsetOf(address: bigint, length = 1): number | undefined {
    const section = this.sections.find(
      (s) => s.hasBytes && s.address > 0n && address >= s.address && address + BigInt(length) <= s.address + BigInt(s.size),
    );
    return section && section.offset + Number(address - section.address);
  }

  readAt(address: bigint, length: number): Buffer {
    const offset = this.offsetOf(address, length);
    if (offset === undefined) throw new Error(`${this.path}: address 0x${address.toString(16)} is in no section`);
    return this.read(offset, length);
  }

  /** A Go string from its pointer and length, or undefined when they do not point into the file. */
  stringAt(address: bigint, length: number): string | undefined {
    if (length <= 0 || length > 4096 || this.offsetOf(address, length) === undefined) return undefined;
    return this.readAt(address, length).toString("latin1");
  }
}

/** The address ranges of the named functions, from the Go function table (Go 1.20+ layout). */
function findFunctions(file: ElfFile, names: readonly string[]): Map<string, { start: bigint; end: bigint }> {
  const table = file.section(".gopclntab");
  const header = file.read(table.offset, 72);
  if (header.readUInt32LE(0) !== 0xfffffff1 || header[7] !== 8) {
    throw new Error("the provider binary's .gopclntab is not the Go 1.20+ 64-bit layout this reader knows");
  }
  const functionCount = Number(header.readBigUInt64LE(8));
  const textStart = header.readBigUInt64LE(24);
  const nameTableOffset = table.offset + Number(header.readBigUInt64LE(32));
  const nameTableEnd = table.offset + Number(header.readBigUInt64LE(40));
  const functionTableOffset = table.offset + Number(header.readBigUInt64LE(64));

  // The name offsets of the wanted functions: each name is NUL-terminated in the name table.
  const wanted = new Map<number, string>();
  const chunkSize = 16 << 20;
  for (let start = nameTableOffset; start < nameTableEnd && wanted.size < names.length; start += chunkSize) {
    const chunk = file.read(start, Math.min(chunkSize + 256, nameTableEnd - start));
    for (const name of names) {
      const needle = Buffer.from(`\0${name}\0`, "latin1");
      const at = chunk.indexOf(needle);
      if (at >= 0 && at < chunkSize) wanted.set(start + at + 1 - nameTableOffset, name);
    }
  }

  const functionTable = file.read(functionTableOffset, (functionCount + 1) * 8);
  const found = new Map<string, { start: bigint; end: bigint }>();
  // Each function's record holds its name offset; records are stored in function order, so one
  // sliding window reads them all.
  let windowStart = -1;
  let window: Buffer = Buffer.alloc(0);
  for (let i = 0; i < functionCount && found.size < wanted.size; i++) {
    const recordOffset = functionTableOffset + functionTable.readUInt32LE(i * 8 + 4);
    if (recordOffset < windowStart || recordOffset + 8 > windowStart + window.length) {
      windowStart = recordOffset;
      window = file.read(recordOffset, Math.min(4 << 20, table.offset + table.size - recordOffset));
    }
    const name = wanted.get(window.readInt32LE(recordOffset - windowStart + 4));
    if (name !== undefined) {
      found.set(name, {
        start: textStart + BigInt(functionTable.readUInt32LE(i * 8)),
        end: textStart + BigInt(functionTable.readUInt32LE(i * 8 + 8)),
      });
    }
  }
  for (const name of names) {
    if (!found.has(name)) throw new Error(`the provider binary has no function ${name}`);
  }
  return found;
}

/** Decoded machine code of one function: rip-relative `lea`s, `mov $imm` to registers, and calls. */
class FunctionCode {
  constructor(readonly bytes: Buffer, readonly start: bigint) {}

  private ripTarget(at: number, length: number): bigint {
    return this.start + BigInt(at + length) + BigInt(this.bytes.readInt32LE(at + length - 4));
  }

  /** Targets of `call rel32` at each position. */
  callsTo(target: bigint): number[] {
    const positions: number[] = [];
    for (let at = 0; at + 5 <= this.bytes.length; at++) {
      if (this.bytes[at] === 0xe8 && this.ripTarget(at, 5) === target) positions.push(at);
    }
    return positions;
  }

  /** The last `lea rel32(%rip), <register>` (64-bit register 0-7) in [from, to): its position and target. */
  lastLea(register: number, from: number, to: number): { at: number; target: bigint } | undefined {
    for (let at = to - 7; at >= Math.max(0, from); at--) {
      if (this.bytes[at] === 0x48 && this.bytes[at + 1] === 0x8d && this.bytes[at + 2] === (0x05 | (register << 3))) {
        return { at, target: this.ripTarget(at, 7) };
      }
    }
    return undefined;
  }

  /**
   * A Go string argument: `lea rel32(%rip), <pointer register>` with `mov $imm32, <length register>`
   * right before or after it (how the compiler passes a constant string), the last one in [from, to).
   */
  lastStringArgument(pointer: number, length: number, from: number, to: number): { target: bigint; length: number } | undefined {
    for (let at = to - 7; at >= Math.max(0, from); at--) {
      const lea = this.bytes[at] === 0x48 && this.bytes[at + 1] === 0x8d && this.bytes[at + 2] === (0x05 | (pointer << 3));
      if (!lea) continue;
      const target = this.ripTarget(at, 7);
      if (at + 12 <= this.bytes.length && this.bytes[at + 7] === 0xb8 + length) return { target, length: this.bytes.readUInt32LE(at + 8) };
      if (at >= 5 && this.bytes[at - 5] === 0xb8 + length) return { target, length: this.bytes.readUInt32LE(at - 4) };
    }
    return undefined;
  }

  /** The source addresses of every `mov rel32(%rip), %rcx` in [from, to). */
  loadsToRcx(from: number, to: number): bigint[] {
    const sources: bigint[] = [];
    for (let at = Math.max(0, from); at + 7 <= to; at++) {
      if (this.bytes[at] === 0x48 && this.bytes[at + 1] === 0x8b && this.bytes[at + 2] === 0x0d) sources.push(this.ripTarget(at, 7));
    }
    return sources;
  }

  /** The bound of the last `cmp $imm, %rcx` (a loop over a static array) in [from, to). */
  lastLoopBound(from: number, to: number): { at: number; bound: number } | undefined {
    for (let at = to - 4; at >= Math.max(0, from); at--) {
      if (this.bytes[at] === 0x48 && this.bytes[at + 1] === 0x83 && this.bytes[at + 2] === 0xf9) return { at, bound: this.bytes[at + 3] };
      if (this.bytes[at] === 0x48 && this.bytes[at + 1] === 0x81 && this.bytes[at + 2] === 0xf9 && at + 7 <= to) {
        return { at, bound: this.bytes.readUInt32LE(at + 3) };
      }
    }
    return undefined;
  }

  /** Targets of every rip-relative `lea` (any register) in [from, to). */
  leaTargets(from: number, to: number): bigint[] {
    const targets: bigint[] = [];
    for (let at = Math.max(0, from); at + 7 <= to; at++) {
      const rex = this.bytes[at];
      if ((rex === 0x48 || rex === 0x4c) && this.bytes[at + 1] === 0x8d && (this.bytes[at + 2] & 0xc7) === 0x05) {
        targets.push(this.ripTarget(at, 7));
      }
    }
    return targets;
  }
}

const RAX = 0;
const RCX = 1;
const RBX = 3;
const RDI = 7;

type InitEvent =
  | { readonly kind: "regex"; readonly at: number; readonly value: string }
  | { readonly kind: "assign"; readonly at: number; readonly mapType: bigint; readonly key: string }
  | { readonly kind: "loop"; readonly at: number; readonly mapType: bigint };

/** The strings of a static array of `count` Go string headers, when every one is a string of the binary. */
function stringArray(file: ElfFile, address: bigint, count: number): string[] | undefined {
  if (count <= 0 || count > 4096 || file.offsetOf(address, count * 16) === undefined) return undefined;
  const raw = file.readAt(address, count * 16);
  const strings: string[] = [];
  for (let i = 0; i < count; i++) {
    const value = file.stringAt(raw.readBigUInt64LE(i * 16), Number(raw.readBigUInt64LE(i * 16 + 8)));
    if (value === undefined) return undefined;
    strings.push(value);
  }
  return strings;
}

/** Reads the partitions, the aws-sdk-go-base version and the Go version out of a provider binary. */
export function readProviderBinary(binaryPath: string): ProviderBinaryFacts {
  const fd = openSync(binaryPath, "r");
  try {
    const file = new ElfFile(fd, binaryPath);
    const buildInfoSection = file.section(".go.buildinfo");
    const buildInfo = file.read(buildInfoSection.offset, buildInfoSection.size).toString("latin1");
    const sdkBase = /\tgithub\.com\/hashicorp\/aws-sdk-go-base\/v2\t(v[^\t\n]+)/.exec(buildInfo);
    const goVersion = /go1\.\d+(?:\.\d+)?/.exec(buildInfo);
    if (!sdkBase || !goVersion) throw new Error(`${binaryPath}: no aws-sdk-go-base/v2 module or Go version in its build info`);
    return { partitions: readPartitions(file), awsSdkGoBaseVersion: sdkBase[1], goVersion: goVersion[0] };
  } finally {
    closeSync(fd);
  }
}

function readPartitions(file: ElfFile): ProviderPartition[] {
  const functions = findFunctions(file, [ENDPOINTS_INIT, MAP_ASSIGN, MUST_COMPILE]);
  const init = functions.get(ENDPOINTS_INIT)!;
  const code = new FunctionCode(file.readAt(init.start, Number(init.end - init.start)), init.start);

  // Each call with its arguments, in code order (which is the source order of the map literal).
  const events: InitEvent[] = [];
  for (const at of code.callsTo(functions.get(MUST_COMPILE)!.start)) {
    const pattern = code.lastStringArgument(RAX, RBX, at - 32, at);
    const value = pattern && file.stringAt(pattern.target, pattern.length);
    if (value === undefined) throw new Error(`cannot read the regular expression compiled at +0x${at.toString(16)} of ${ENDPOINTS_INIT}`);
    events.push({ kind: "regex", at, value });
  }
  for (const at of code.callsTo(functions.get(MAP_ASSIGN)!.start)) {
    const mapType = code.lastLea(RAX, at - 40, at);
    if (!mapType) throw new Error(`cannot read the map type of the assignment at +0x${at.toString(16)} of ${ENDPOINTS_INIT}`);
    const key = code.lastStringArgument(RCX, RDI, at - 40, at);
    const value = key && file.stringAt(key.target, key.length);
    events.push(value === undefined ? { kind: "loop", at, mapType: mapType.target } : { kind: "assign", at, mapType: mapType.target, key: value });
  }
  events.sort((a, b) => a.at - b.at);

  const assigns = events.filter((e): e is Extract<InitEvent, { kind: "assign" }> => e.kind === "assign");
  const onlyType = (test: RegExp, what: string): bigint => {
    const types = new Set(assigns.filter((e) => test.test(e.key)).map((e) => e.mapType));
    if (types.size !== 1) throw new Error(`expected one map type for ${what} in ${ENDPOINTS_INIT}, found ${types.size}`);
    return [...types][0];
  };
  const regionMapType = onlyType(REGION_SHAPE, "region keys");
  const partitionMapType = onlyType(PARTITION_SHAPE, "partition keys");

  const partitions: ProviderPartition[] = [];
  let regexes: string[] = [];
  let regions: string[] = [];
  let previous = 0;
  for (const event of events) {
    if (event.kind === "regex") {
      regexes.push(event.value);
    } else if (event.mapType === regionMapType && event.kind === "assign") {
      regions.push(event.key);
    } else if (event.mapType === regionMapType && event.kind === "loop") {
      regions.push(...loopKeys(file, code, event.at));
    } else if (event.mapType === partitionMapType && event.kind === "assign") {
      partitions.push(partitionOf(file, code, event.key, regexes, regions, previous, event.at));
      regexes = [];
      regions = [];
      previous = event.at;
    }
  }
  if (partitions.length === 0 || regions.length > 0 || regexes.length > 0) {
    throw new Error(`${ENDPOINTS_INIT} does not have the shape this reader knows (partitions, each with a regex and regions)`);
  }
  if (new Set(partitions.map((p) => p.id)).size !== partitions.length) throw new Error("a partition id appears twice");
  return partitions;
}

/** The keys of a map filled by a loop over a static array: the one array of region codes the loop reads. */
function loopKeys(file: ElfFile, code: FunctionCode, callAt: number): string[] {
  const loop = code.lastLoopBound(callAt - 256, callAt);
  if (!loop) throw new Error(`cannot find the bound of the loop that calls mapassign at +0x${callAt.toString(16)}`);
  const arrays = code
    .leaTargets(loop.at, callAt)
    .map((address) => stringArray(file, address, loop.bound))
    .filter((keys): keys is string[] => keys !== undefined && keys.every((k) => REGION_SHAPE.test(k)));
  if (arrays.length !== 1) throw new Error(`expected one array of ${loop.bound} region codes for the loop at +0x${callAt.toString(16)}, found ${arrays.length}`);
  return arrays[0];
}

/** One partition: its id, the static part of its value (name, DNS suffix), its regex and regions. */
function partitionOf(
  file: ElfFile,
  code: FunctionCode,
  id: string,
  regexes: readonly string[],
  regions: readonly string[],
  from: number,
  to: number,
): ProviderPartition {
  if (regexes.length !== 1) throw new Error(`partition ${id}: expected one region regex, found ${regexes.length}`);
  if (regions.length === 0) throw new Error(`partition ${id}: no regions found`);
  // The Partition value starts from a rodata template: id, name and dnsSuffix, as three Go strings
  // (the template is loaded into %rcx first); the one whose id is this partition's.
  const stringsAt = (address: bigint): (string | undefined)[] => {
    if (file.offsetOf(address, 48) === undefined) return [];
    const fields = file.readAt(address, 48);
    return [0, 1, 2].map((i) => file.stringAt(fields.readBigUInt64LE(i * 16), Number(fields.readBigUInt64LE(i * 16 + 8))));
  };
  const template = code.loadsToRcx(from, to).map(stringsAt).find((fields) => fields[0] === id);
  if (template === undefined) throw new Error(`partition ${id}: cannot find the static part of its value`);
  const [, name, dnsSuffix] = template;
  if (name === undefined || dnsSuffix === undefined || !/^[a-z0-9.-]+$/.test(dnsSuffix)) {
    throw new Error(`partition ${id}: cannot read its name and DNS suffix`);
  }
  const regionRegex = new RegExp(regexes[0]);
  const outside = regions.filter((region) => !regionRegex.test(region));
  if (outside.length > 0) throw new Error(`partition ${id}: regions ${outside.join(", ")} do not match its regex ${regexes[0]}`);
  return { id, name, dnsSuffix, regionRegex: regexes[0], regions: [...new Set(regions)].sort() };
}

/** The text of constructs/aws-partitions.ts for these facts. */
export function renderPartitionsModule(facts: ProviderBinaryFacts, provider: { version: string; binaryName: string }): string {
  const partitions = facts.partitions
    .map(
      (p) => `  {
    id: ${JSON.stringify(p.id)},
    name: ${JSON.stringify(p.name)},
    dnsSuffix: ${JSON.stringify(p.dnsSuffix)},
    regionRegex: ${JSON.stringify(p.regionRegex)},
    regions: [
${p.regions.map((r) => `      ${JSON.stringify(r)},`).join("\n")}
    ],
  },`,
    )
    .join("\n");
  return `/**
 * The AWS partitions and regions that the pinned AWS provider, hashicorp/aws ${provider.version}, knows.
 * The provider refuses any other region at plan ("invalid AWS Region") unless \`skip_region_validation\`
 * is set, so the settings accept exactly these.
 *
 * Generated by \`npx tsx scripts/update-aws-regions.ts\` from the provider binary of the offline mirror
 * (${provider.binaryName}, built with ${facts.goVersion}), which embeds the
 * partition data of github.com/hashicorp/aws-sdk-go-base/v2 ${facts.awsSdkGoBaseVersion} (package \`endpoints\`,
 * generated from the AWS SDK's endpoints data). Do not edit by hand: regenerate it after a provider
 * upgrade. __tests__/scripts/aws-partitions.terraform.test.ts fails while it differs from the binary.
 */

/** One AWS partition: its regions share ARNs (\`arn:<id>:\`), credentials and endpoints' DNS suffix. */
export interface AwsPartition {
  /** \`aws\`, \`aws-cn\`, \`aws-us-gov\`, ... */
  readonly id: string;
  readonly name: string;
  /** The DNS suffix of its service endpoints (\`dynamodb.<region>.<dnsSuffix>\`). */
  readonly dnsSuffix: string;
  /** The pattern its region codes follow (the provider's own). */
  readonly regionRegex: string;
  /** The regions the provider accepts in this partition, sorted. */
  readonly regions: readonly string[];
}

/** The pinned provider's version, whose binary this list was read from. */
export const AWS_PARTITIONS_PROVIDER_VERSION = ${JSON.stringify(provider.version)};

export const AWS_PARTITIONS: readonly AwsPartition[] = [
${partitions}
];
`;
}

/** The provider binary for linux_amd64 in a mirror root (the folder that holds registry.terraform.io/). */
export function providerBinaryIn(mirror: string, version: string): { path: string; binaryName: string } {
  const folder = join(mirror, "registry.terraform.io/hashicorp/aws", version, "linux_amd64");
  const binaryName = existsSync(folder) ? readdirSync(folder).find((f) => f.startsWith("terraform-provider-aws_")) : undefined;
  if (binaryName === undefined) {
    throw new Error(`no terraform-provider-aws binary in ${folder}: the region list is read from the linux_amd64 provider of the mirror`);
  }
  return { path: join(folder, binaryName), binaryName: `${binaryName}, linux_amd64` };
}
